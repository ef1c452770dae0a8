import { compareStrings } from '../store/compare.js';

/*
 * The order of sort keys and of min/max: numbers numerically (NaN after every number), bigints
 * numerically, strings by `compareStrings`, false before true; null after every value in either
 * direction. Ties are broken by the caller (storage order, or a group's first appearance), so
 * every order is total and a split scan merges into the sequential answer.
 */

/** A sort key's value: a number (also bools as 0/1 and dictionary ranks), bigint, string or null. */
export type SortValue = number | bigint | string | boolean | null;

/** Compares two non-null values of one column type. */
export function compareValues(a: Exclude<SortValue, null>, b: Exclude<SortValue, null>): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  const y = b as number | bigint;
  if (a < y) return -1;
  if (a > y) return 1;
  if (a === y) return 0;
  // Only NaN is left: it sorts after every number.
  const an = Number.isNaN(a);
  const bn = Number.isNaN(y);
  return an === bn ? 0 : an ? 1 : -1;
}

/** Compares two keys (arrays of sort values) under `desc` directions, nulls last either way. */
export function compareKeys(
  a: readonly SortValue[],
  b: readonly SortValue[],
  desc: readonly boolean[],
): number {
  for (let k = 0; k < desc.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(x, y);
    if (c !== 0) return desc[k] ? -c : c;
  }
  return 0;
}
