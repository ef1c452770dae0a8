import type { Snapshot } from '../store/snapshot.js';
import type { Literal } from './plan.js';
import type { ResolvedPlan } from './resolve.js';

/*
 * A filter that pins the main table's primary key (`eq(key, x)`, `isIn(key, [...])`, or either
 * as one argument of a top-level `and`) can only keep the rows the key locator finds: the scan
 * reads their row groups and skips the rest. The whole filter still runs on those groups, so the
 * candidates need only include every row that can match; the locator gives exactly the row whose
 * key equals the literal (or none), so they do.
 */

/**
 * The sorted, distinct positions of the rows the plan's filter can keep, found with the key
 * locator; null when the filter does not pin the key (the scan reads every row group).
 */
export function keyRows(snap: Snapshot, r: ResolvedPlan): number[] | null {
  const key = r.main.key;
  if (key === null || r.where === null) return null;
  const literals = pinnedKeys(r.where, key);
  if (literals === null) return null;
  const table = r.main.name;
  const rows: number[] = [];
  for (const v of literals) {
    // resolvePlan let through only literals of the key's type: a string for a dictionary key, a
    // number for an integer one (a fraction or a negative one is no key: the locator says -1).
    const pos = snap.locate(table, v as number | string);
    if (pos >= 0) rows.push(pos);
  }
  rows.sort((a, b) => a - b);
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i] !== rows[n - 1]) rows[n++] = rows[i]!;
  rows.length = n;
  return rows;
}

/** The literals that `expr` requires the key column to equal one of, or null. */
function pinnedKeys(expr: NonNullable<ResolvedPlan['where']>, key: string): readonly Literal[] | null {
  if (expr.op === 'eq' && expr.column === key) return [expr.value];
  if (expr.op === 'in' && expr.column === key) return expr.values;
  if (expr.op === 'and') {
    // Any one pinned argument bounds the conjunction; the smallest bounds it most.
    let best: readonly Literal[] | null = null;
    for (const a of expr.args) {
      const k = pinnedKeys(a, key);
      if (k !== null && (best === null || k.length < best.length)) best = k;
    }
    return best;
  }
  return null;
}
