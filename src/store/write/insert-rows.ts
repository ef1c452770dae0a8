import type { RecordBatch, Vector } from 'apache-arrow';
import { describeValue, StateError } from '../../errors.js';
import { MAX_CODES } from '../domain.js';
import type { TableLayout } from '../layout.js';
import { hashString } from '../utf8.js';
import { type Cell, type RowInput, toCell } from '../values.js';
import type { TxCore, TxTable } from './core.js';
import { Column, DomainStrings, recordBatch, utf8Vector } from './insert-columns.js';
import { appendSources, type Sources } from './load.js';
import { locate } from './locator.js';
import { checkKey, checkNames, codesExhausted } from './rows.js';

/*
 * Many inserts as one operation, column by column. Each row is checked as `insertRow` checks it
 * and in the same order (its cells, then its key, then the codes its strings would get), so the
 * first bad row fails with the error its own insert would give, and nothing is written. The checked
 * cells go into Arrow columns (insert-columns.ts) that the bulk loader's fill writes: what the
 * per-row path spends per cell on dispatch and per row on finding its row group, this spends per
 * column and row group.
 */

/**
 * Inserts `rows` after table `ts`'s last row, as `rows.length` operations, all or nothing.
 * Returns the rows as one record batch for the transaction's record when `record` is set (a load
 * of it does the same), else null.
 */
export function insertRows(
  tx: TxCore,
  ts: TxTable,
  rows: readonly RowInput[],
  record: boolean,
): RecordBatch | null {
  const t = ts.layout;
  if (!Array.isArray(rows)) {
    throw new StateError(
      'TYPE_MISMATCH',
      `insertRows into ${t.name} takes an array of rows, not ${describeValue(rows)}`,
      { table: t.name, op: tx.ops },
    );
  }
  const n = rows.length;
  if (n === 0) return null;
  if (tx.ops + n > tx.limits.maxBatchOps) {
    throw new StateError(
      'BATCH_TOO_LARGE',
      `a transaction or batch may hold ${tx.limits.maxBatchOps} operations; ${n} rows from operation ${tx.ops} go past that: split the work into several`,
      { op: tx.limits.maxBatchOps },
    );
  }
  const narrow = narrowDomains(tx, t);
  const columns = t.columns.map((col) => new Column(col, n, narrow.get(col.domain) ?? null));
  const checked = columns.filter((k) => k.strings !== null && k.col.max < MAX_CODES);
  const keys = new NewKeys(tx, ts, n);
  const op0 = tx.ops;
  const max = tx.limits.maxStringBytes;
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    const op = op0 + r;
    checkNames(t, row, op);
    const site = tx.site(-1, -1, op);
    let key: Cell = null;
    for (let c = 0; c < columns.length; c++) {
      const k = columns[c]!;
      const col = k.col;
      const value =
        col.parent === null
          ? row[col.name]
          : (row[col.parent] as Record<string, unknown> | undefined)?.[col.leaf];
      const cell = toCell(t, col, value, site, max);
      k.add(r, cell);
      if (c === t.key) key = cell;
    }
    if (t.key >= 0) keys.check(key as string | number, columns[t.key]!, r, op);
    for (let i = 0; i < checked.length; i++) {
      const k = checked[i]!;
      if (k.late < 0) continue;
      throw codesExhausted(t, k.col, k.strings!.domain.layout.name, k.late, k.lateString, op);
    }
  }
  // Everything is checked: from here on the call changes the store.
  tx.begin();
  const vectors = new Map<number, Vector>();
  const remaps = new Map<Vector, Int32Array>();
  const ops = tx.blockOps();
  for (const [d, ds] of narrow) {
    const vector = utf8Vector(ds.strings);
    vectors.set(d, vector);
    // In order of first appearance: each new string gets the code it was checked with.
    const remap = new Int32Array(ds.strings.length);
    for (let e = 0; e < remap.length; e++) {
      const known = ds.codes[e]!;
      remap[e] = known >= 0 ? known : ds.domain.intern(ops, ds.strings[e]!);
    }
    remaps.set(vector, remap);
  }
  const sources: Sources = columns.map((k) => k.data(n, vectors));
  appendSources(tx, ts, [n], [sources], { remaps, users: new Map() });
  tx.ops = op0 + n;
  tx.end();
  return record ? recordBatch(t, sources, n) : null;
}

/** The domains that a narrow (8- or 16-bit) column of the table uses. */
function narrowDomains(tx: TxCore, t: TableLayout): Map<number, DomainStrings> {
  const out = new Map<number, DomainStrings>();
  for (const col of t.columns) {
    if (col.domain >= 0 && col.max < MAX_CODES && !out.has(col.domain)) {
      out.set(col.domain, new DomainStrings(tx.domain(col.domain), tx.arena));
    }
  }
  return out;
}

/**
 * The keys of the rows so far: a new row's key must be neither in the table nor among them. Keys
 * of this call are told apart by an open-addressing table of row numbers by the key's hash, with
 * no string or number boxed per row.
 */
class NewKeys {
  readonly #tx: TxCore;
  readonly #ts: TxTable;
  /** Per slot: the row whose key hashed there, plus one; 0 while empty. */
  readonly #slots: Int32Array;
  readonly #hashes: Int32Array;
  readonly #keys: (string | number)[] = [];

  constructor(tx: TxCore, ts: TxTable, n: number) {
    this.#tx = tx;
    this.#ts = ts;
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.#slots = new Int32Array(ts.layout.key >= 0 ? cap : 0);
    this.#hashes = new Int32Array(this.#slots.length);
  }

  /** Checks row `r`'s key (a checked cell of key column `k`) as insertRow checks it. */
  check(key: string | number, k: Column, r: number, op: number): void {
    const tx = this.#tx;
    const ts = this.#ts;
    const layout = ts.layout;
    let taken: boolean;
    if (typeof key === 'number') {
      taken = locate(tx, ts, checkKey(layout, key, op)) >= 0;
    } else {
      // A narrow key domain's entry was looked up as the row was read.
      const code =
        k.strings === null ? tx.domain(k.col.domain).lookup(tx.arena, key) : k.strings.codes[k.ints[r]!]!;
      taken = code >= 0 && locate(tx, ts, code) >= 0;
    }
    if (!taken) taken = this.#seen(key, r);
    if (taken) {
      throw new StateError(
        'DUPLICATE_KEY',
        `${layout.name} already has a row with key ${describeValue(key)}`,
        {
          table: layout.name,
          key,
          op,
        },
      );
    }
  }

  /** Whether an earlier row of this call has `key`; if not, remembers it as row `r`'s. */
  #seen(key: string | number, r: number): boolean {
    // As an Int32, as #hashes holds it.
    const hash =
      (typeof key === 'string' ? hashString(key) : Math.imul(key | 0, 0x9e3779b1) ^ (key / 0x1_0000_0000)) |
      0;
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === 0) {
        slots[i] = r + 1;
        this.#hashes[i] = hash;
        this.#keys[r] = key;
        return false;
      }
      if (this.#hashes[i] === hash && this.#keys[s - 1] === key) return true;
    }
  }
}
