import type { Table } from 'apache-arrow';
import type { MetaValue } from './meta.js';
import type { Key, RowInput, Value } from './values.js';

/**
 * The value an ordered comparison (`lt`, `lte`, `gt`, `gte`) takes: a number (int8 to uint32,
 * float32, float64), a bigint or a safe-integer number (int64), milliseconds or a valid `Date`
 * (timestamp), a string (utf8 and dictionary columns, in code point order: `compareStrings`).
 */
export type Comparable = number | bigint | string | Date;

/**
 * A condition on the newest state, checked when the batch is applied: the row exists (or not), or
 * one of its columns compares with a value. A struct's field is named "struct.field". A value
 * condition names exactly one relation:
 *
 * - `equals`: the cell is the value (Object.is, item by item for lists, a bigint equals the same
 *   safe-integer number; a null cell equals only null); `notEquals` is exactly its negation;
 *   `in`: the cell equals one of the values.
 * - `lt`, `lte`, `gt`, `gte`: the cell is less than (or equal to, greater than, ...) the value:
 *   numerically for numbers, int64 and timestamps, by `compareStrings` for utf8 and dictionary
 *   columns (by string, never by code). False when the cell is null or NaN. Comparing against
 *   null, NaN (an invalid Date) or a value of the wrong kind (see {@link Comparable}: a string against a number column, a
 *   bigint against an int32 one, a fraction against an int64 one), or comparing a bool, list or
 *   whole struct column, is a bad batch: `INVALID_BATCH`, whatever the state.
 */
export type Condition =
  | { readonly exists: boolean }
  | { readonly column: string; readonly equals: Value }
  | { readonly column: string; readonly notEquals: Value }
  | { readonly column: string; readonly in: readonly Value[] }
  | { readonly column: string; readonly lt: Comparable }
  | { readonly column: string; readonly lte: Comparable }
  | { readonly column: string; readonly gt: Comparable }
  | { readonly column: string; readonly gte: Comparable };

/**
 * One effect of a batch. A batch records effects and evaluated preconditions, never code: applied
 * to an identical store, the same batch makes the identical change.
 */
export type Effect =
  | { readonly op: 'insert'; readonly table: string; readonly row: RowInput }
  | { readonly op: 'upsert'; readonly table: string; readonly row: RowInput }
  | { readonly op: 'update'; readonly table: string; readonly key: Key; readonly values: RowInput }
  | { readonly op: 'updateAt'; readonly table: string; readonly row: number; readonly values: RowInput }
  | { readonly op: 'delete'; readonly table: string; readonly key: Key }
  | { readonly op: 'deleteAt'; readonly table: string; readonly row: number }
  | {
      readonly op: 'increment';
      readonly table: string;
      readonly key: Key;
      readonly column: string;
      readonly by: number | bigint;
    }
  | {
      readonly op: 'listAdd';
      readonly table: string;
      readonly key: Key;
      readonly column: string;
      readonly value: string;
    }
  | {
      readonly op: 'listRemove';
      readonly table: string;
      readonly key: Key;
      readonly column: string;
      readonly value: string;
    }
  | { readonly op: 'require'; readonly table: string; readonly key: Key; readonly condition: Condition }
  /** Appends the rows of an Arrow table (see `tx.load`). */
  | { readonly op: 'load'; readonly table: string; readonly rows: Table }
  /** Sets a store metadata key (null deletes it); metadata belongs to no table. */
  | { readonly op: 'setMeta'; readonly key: string; readonly value: MetaValue | null };

/** A batch of effects, applied all or nothing as one version. Plain data: it crosses threads. */
export interface Batch {
  readonly effects: readonly Effect[];
  /**
   * The id of the client that produced the batch. With `seq` it lets a consumer of the commit feed
   * drop a batch it has already seen (a client resending after a failover). Applying ignores it.
   */
  readonly producer?: string;
  /** The producer's sequence number of this batch: a safe non-negative integer. Applying ignores it. */
  readonly seq?: number;
  /**
   * Marks a version the writer made on its own, recorded so the feed's version numbers have no
   * gap: `'compaction'` (a dictionary compaction changed codes, no row). Such a batch has no
   * effects, and applying it changes nothing.
   */
  readonly marker?: 'compaction';
}

/**
 * A copy of a row or values object, one level into struct values, so that a recorded effect does
 * not change when the caller reuses its object.
 */
export function copyInput(input: RowInput): RowInput {
  // A spread is the fast copy for the usual flat row; nested values are copied only where found.
  const out = { ...input };
  for (const name in out) {
    const v = out[name];
    if (v === null || typeof v !== 'object' || v instanceof Date) continue;
    out[name] = Array.isArray(v) ? [...v] : { ...(v as Record<string, Value>) };
  }
  return out;
}

/** Whether two row values are the same: Object.is for scalars (NaN equals NaN), item by item for lists. */
export function sameValue(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = toBigInt(a);
    return x !== null && x === toBigInt(b);
  }
  return Object.is(a, b);
}

function toBigInt(v: Value): bigint | null {
  if (typeof v === 'bigint') return v;
  return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : null;
}

/**
 * Builds a batch in any thread, without running code in the writer: the same calls as a
 * transaction's, recorded as effects. Apply it with `store.apply(builder.build())`.
 */
export class BatchBuilder {
  readonly #effects: Effect[] = [];

  /** Inserts a row; its key must be new. */
  insert(table: string, row: RowInput): this {
    return this.#add({ op: 'insert', table, row: copyInput(row) });
  }

  /** Inserts a row, or updates the given columns of the row with its key. */
  upsert(table: string, row: RowInput): this {
    return this.#add({ op: 'upsert', table, row: copyInput(row) });
  }

  /** Updates some columns of the row with primary key `key`. */
  update(table: string, key: Key, values: RowInput): this {
    return this.#add({ op: 'update', table, key, values: copyInput(values) });
  }

  /** Updates some columns of the row at position `row`. */
  updateAt(table: string, row: number, values: RowInput): this {
    return this.#add({ op: 'updateAt', table, row, values: copyInput(values) });
  }

  /** Deletes the row with primary key `key`. */
  delete(table: string, key: Key): this {
    return this.#add({ op: 'delete', table, key });
  }

  /** Deletes the row at position `row`. */
  deleteAt(table: string, row: number): this {
    return this.#add({ op: 'deleteAt', table, row });
  }

  /** Adds `by` (negative to decrement) to a numeric column of the row with key `key`. */
  increment(table: string, key: Key, column: string, by: number | bigint): this {
    return this.#add({ op: 'increment', table, key, column, by });
  }

  /** Adds `value` to a list column of the row with key `key`, unless the list holds it already. */
  listAdd(table: string, key: Key, column: string, value: string): this {
    return this.#add({ op: 'listAdd', table, key, column, value });
  }

  /** Removes every `value` from a list column of the row with key `key`. */
  listRemove(table: string, key: Key, column: string, value: string): this {
    return this.#add({ op: 'listRemove', table, key, column, value });
  }

  /** Appends the rows of an Arrow table to `table`, in order (see `tx.load`). */
  load(table: string, rows: Table): this {
    return this.#add({ op: 'load', table, rows });
  }

  /** Sets store metadata `key` to a string or finite number; null deletes it. */
  setMeta(key: string, value: MetaValue | null): this {
    return this.#add({ op: 'setMeta', key, value });
  }

  /** Fails the whole batch with PRECONDITION_FAILED unless `condition` holds when it is applied. */
  require(table: string, key: Key, condition: Condition): this {
    return this.#add({ op: 'require', table, key, condition });
  }

  /** The batch built so far, with its producer's id and sequence number when given. */
  build(origin?: { readonly producer?: string; readonly seq?: number }): Batch {
    const out: { -readonly [K in keyof Batch]: Batch[K] } = { effects: [...this.#effects] };
    if (origin?.producer !== undefined) out.producer = origin.producer;
    if (origin?.seq !== undefined) out.seq = origin.seq;
    return out;
  }

  #add(effect: Effect): this {
    this.#effects.push(effect);
    return this;
  }
}

/** Starts a batch. */
export function batch(): BatchBuilder {
  return new BatchBuilder();
}
