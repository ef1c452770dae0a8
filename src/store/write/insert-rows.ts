import type { RecordBatch } from 'apache-arrow';
import { describeValue, StateError } from '../../errors.js';
import { MAX_CODES } from '../domain.js';
import type { DomainMark, TxDomain } from '../domain-writer.js';
import { type Cell, type RowInput, toCell } from '../values.js';
import type { TxCore, TxTable } from './core.js';
import { Column, recordBatch } from './insert-columns.js';
import { appendSources } from './load.js';
import { locate } from './locator.js';
import { RowReader } from './row-reader.js';
import { checkKey, checkNames, codesExhausted } from './rows.js';

/*
 * Many inserts as one operation, column by column. Each row is checked as `insertRow` checks it
 * and in the same order (its cells, then its key, then whether its strings' codes fit their
 * columns), so the first bad row fails with the error its own insert would give. Strings are
 * interned as the rows are read, which gives each the code sequential inserts would give it; a
 * bad row rolls every domain back to where the call found it (TxDomain.rollback), so a failed call
 * leaves nothing behind and the transaction goes on. The checked columns (insert-columns.ts) are
 * then written by the bulk loader's fill: what the per-row path spends per cell on dispatch and
 * per row on finding its row group, this spends per column and per row group.
 */

/**
 * Inserts `rows` after table `ts`'s last row, as `rows.length` operations, all or nothing.
 * When `record` is set, returns what makes the rows into one record batch for the transaction's
 * record (a load of it does the same): the record is built when it is first read, as a runtime's
 * log record is encoded when first read, from copies of the cells kept here. Else null.
 */
export function insertRows(
  tx: TxCore,
  ts: TxTable,
  rows: readonly RowInput[],
  record: boolean,
): (() => RecordBatch) | null {
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
  const ops = tx.blockOps();
  const domains = new Map<number, TxDomain>();
  for (const col of t.columns) if (col.domain >= 0) domains.set(col.domain, tx.domain(col.domain));
  const marks = [...domains.values()].map((d): [TxDomain, DomainMark] => [d, d.mark()]);
  const columns = t.columns.map(
    (col) => new Column(col, n, col.domain >= 0 ? domains.get(col.domain)! : null, ops, record),
  );
  // Columns of 8- or 16-bit codes: a string's code may not fit them (32-bit ones hold any code).
  const narrow = columns.filter((k) => k.col.domain >= 0 && k.col.max < MAX_CODES);
  const keyCol = t.key >= 0 ? t.columns[t.key]! : null;
  const keys = new NewKeys(keyCol !== null && keyCol.domain >= 0 ? domains.get(keyCol.domain)!.length : -1);
  const reader = new RowReader(t);
  const op0 = tx.ops;
  const max = tx.limits.maxStringBytes;
  try {
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      const op = op0 + r;
      // As tx.insert would find the limit at this row.
      if (op >= tx.limits.maxBatchOps) {
        tx.ops = op;
        tx.guard();
      }
      const fast = reader.read(row);
      // Else checkNames throws the error insert gives, or the row is unusual but good.
      if (!fast) checkNames(t, row, op);
      const site = tx.site(-1, -1, op);
      let key: Cell = null;
      for (let c = 0; c < columns.length; c++) {
        const k = columns[c]!;
        const col = k.col;
        const value = fast
          ? reader.values[c]
          : col.parent === null
            ? row[col.name]
            : (row[col.parent] as Record<string, unknown> | undefined)?.[col.leaf];
        const cell = toCell(t, col, value, site, max);
        k.add(r, cell);
        if (c === t.key) key = cell;
      }
      if (keyCol !== null) keys.check(tx, ts, key as string | number, columns[t.key]!.ints[r] ?? -1, op);
      for (let i = 0; i < narrow.length; i++) {
        const k = narrow[i]!;
        if (k.late >= 0)
          throw codesExhausted(t, k.col, domains.get(k.col.domain)!.layout.name, k.late, k.lateString, op);
      }
    }
  } catch (err) {
    tx.ops = op0;
    try {
      for (const [d, m] of marks) d.rollback(ops, m);
    } catch (failed) {
      // A rebuilt index found no room: a domain is half rolled back, so the transaction must not
      // commit (begin() without end() marks it so).
      tx.begin();
      throw failed;
    }
    throw err;
  }
  // Everything is checked: from here on the call changes the rows.
  tx.begin();
  const sources = columns.map((k) => k.data(n));
  appendSources(tx, ts, [n], [sources], { remaps: new Map(), users: new Map() });
  tx.ops = op0 + n;
  tx.end();
  return record
    ? () =>
        recordBatch(
          t,
          columns.map((k, c) => k.recordData(n, sources[c]!)),
          n,
        )
    : null;
}

/**
 * The keys of the rows so far: a new row's key must be neither in the table nor among them. A
 * string key's code tells both: one from before the call may have a row; a new one (at or past
 * the domain's length when the call began) is a duplicate if an earlier row of the call took it.
 */
class NewKeys {
  /** The key domain's length when the call began; -1 for integer keys. */
  readonly #length: number;
  #taken = new Uint8Array(64);
  readonly #ints = new Set<number>();

  constructor(length: number) {
    this.#length = length;
  }

  /** Checks row `r`'s key (a checked cell, and its code for a string key) as insertRow does. */
  check(tx: TxCore, ts: TxTable, key: string | number, code: number, op: number): void {
    const t = ts.layout;
    let taken: boolean;
    if (typeof key === 'number') {
      taken = locate(tx, ts, checkKey(t, key, op)) >= 0 || this.#ints.has(key);
      this.#ints.add(key);
    } else if (code < this.#length) {
      taken = locate(tx, ts, code) >= 0;
    } else {
      const i = code - this.#length;
      if (i >= this.#taken.length) {
        const grown = new Uint8Array(Math.max(this.#taken.length * 2, i + 1));
        grown.set(this.#taken);
        this.#taken = grown;
      }
      taken = this.#taken[i] === 1;
      this.#taken[i] = 1;
    }
    if (taken) {
      throw new StateError('DUPLICATE_KEY', `${t.name} already has a row with key ${describeValue(key)}`, {
        table: t.name,
        key,
        op,
      });
    }
  }
}
