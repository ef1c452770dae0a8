import { type RecordBatch, Table } from 'apache-arrow';
import { StateError } from '../errors.js';
import { type Batch, type Condition, copyInput, type Effect } from './effects.js';
import { domainLayout, missingKey, offOf, segOf } from './layout.js';
import type { MetaValue } from './meta.js';
import { readRow } from './read.js';
import { rowShape } from './row-shape.js';
import type { Key, Row, RowInput } from './values.js';
import { compactDomain, type DomainUse } from './write/compaction.js';
import type { TxCore, TxTable } from './write/core.js';
import { groupRef } from './write/directory.js';
import { changeList, checkCondition, incrementCell } from './write/effect-ops.js';
import { insertRows } from './write/insert-rows.js';
import { asTable, type LoadSource, loadRows } from './write/load.js';
import { positionOf, rowOfKey } from './write/locator.js';
import { checkRow, deleteRow, insertRow, updateRow } from './write/rows.js';

export type { Key } from './values.js';
export type { TxContext, TxResult, TxTable, WriteLimits } from './write/core.js';
export { writeTableEntry } from './write/core.js';

/**
 * A write transaction: a set of inserts, updates and deletes that the writer applies as one new
 * version, all or nothing. It is handed to the callback of `store.write` and is valid only inside
 * it. Reads through it (`count`, `getAt`, `locate`) see its own writes. It records what it does as
 * effects (`batch`), which applied to an identical store make the identical change.
 *
 * Copy-on-write: the first change to a visible row of a chunk copies the chunk and the row-group
 * block and directory that point to it; later changes in the same transaction go to the copies.
 * Rows past a chunk's high-water mark are invisible to every version and are written in place.
 */
export class Transaction {
  /** The writer's transaction state while this transaction is open; null once it ended. */
  #tx: TxCore | null;
  readonly #version: number;
  /** What the transaction records: readable after it ended, like its version. */
  readonly #effects: readonly Effect[] | null;

  /** @internal Made by the store's writer around the state of one transaction. */
  constructor(core: TxCore) {
    this.#tx = core;
    this.#version = core.version;
    this.#effects = core.effects;
  }

  /** The version this transaction will publish. */
  get version(): number {
    return this.#version;
  }

  /** @internal Ends this transaction: the writer reuses its state, so later calls are refused. */
  close(): void {
    this.#tx = null;
  }

  /**
   * @internal The writer's state of this open transaction: for the writer worker's apply of a
   * submitted batch straight from its bytes (src/codec/apply-bytes.ts), which goes around the
   * methods below because they take made values.
   */
  core(): TxCore {
    return this.#open();
  }

  #open(): TxCore {
    const tx = this.#tx;
    if (tx === null) {
      throw new StateError(
        'STORE_CLOSED',
        'this transaction has ended; use it only inside its write callback',
      );
    }
    return tx;
  }

  /** Number of rows `table` has, with this transaction's changes. */
  count(table: string): number {
    return this.#open().table(table).rows;
  }

  /** Inserts one row. Every non-null column must be given; the key must be new. */
  insert(table: string, row: RowInput): void {
    const tx = this.#open();
    tx.guard();
    insertRow(tx, tx.table(table), row);
    tx.effects?.push({ op: 'insert', table, row: copyInput(row) });
  }

  /**
   * Inserts `rows` in their order, as `rows.length` calls of `insert` would, but as one step that
   * is all or nothing: the first bad row fails the call with the error its own `insert` would
   * give (its `op` counts the rows before it), and no row is inserted. Checked rows are written
   * column by column, which costs about two thirds of `insert` per row for thousands of rows. The
   * record holds the rows as one `load` effect, whose Arrow table is built when first read (and
   * encodes several times faster than their insert effects). Returns the number of rows inserted.
   */
  insertRows(table: string, rows: readonly RowInput[]): number {
    const tx = this.#open();
    tx.guard();
    const build = insertRows(tx, tx.table(table), rows, tx.effects !== null);
    if (build !== null) tx.effects?.push(lazyLoad(table, build));
    return rows.length;
  }

  /** Updates some columns of the row whose primary key is `key` (a value of undefined leaves its column as it is). */
  update(table: string, key: Key, values: RowInput): void {
    const tx = this.#open();
    tx.guard();
    const ts = tx.table(table);
    updateRow(tx, ts, key, rowOfKey(tx, ts, key, tx.ops), values);
    tx.effects?.push({ op: 'update', table, key, values: copyInput(values) });
  }

  /** Updates some columns of the row at position `row` (0 <= row < count), as `update` does. */
  updateAt(table: string, row: number, values: RowInput): void {
    const tx = this.#open();
    tx.guard();
    const ts = tx.table(table);
    updateRow(tx, ts, -1, checkRow(ts, row, tx.ops), values);
    tx.effects?.push({ op: 'updateAt', table, row, values: copyInput(values) });
  }

  /** Deletes the row whose primary key is `key`. The table's last row moves into its place. */
  delete(table: string, key: Key): void {
    const tx = this.#open();
    tx.guard();
    const ts = tx.table(table);
    deleteRow(tx, ts, rowOfKey(tx, ts, key, tx.ops++));
    tx.effects?.push({ op: 'delete', table, key });
  }

  /** Deletes the row at position `row`. The table's last row moves into its place. */
  deleteAt(table: string, row: number): void {
    const tx = this.#open();
    tx.guard();
    const ts = tx.table(table);
    deleteRow(tx, ts, checkRow(ts, row, tx.ops++));
    tx.effects?.push({ op: 'deleteAt', table, row });
  }

  /** Inserts a row, or, if its key exists, updates the columns it gives (the key excepted). */
  upsert(table: string, row: RowInput): void {
    const tx = this.#open();
    tx.guard();
    const ts = tx.table(table);
    const t = ts.layout;
    if (t.key < 0) throw missingKey(t);
    const keyCol = t.columns[t.key]!;
    const key = row[keyCol.name] as Key;
    const pos = positionOf(tx, ts, key);
    if (pos < 0) {
      insertRow(tx, ts, row);
    } else {
      const values: RowInput = { ...row };
      delete values[keyCol.name];
      updateRow(tx, ts, key, pos, values);
    }
    tx.effects?.push({ op: 'upsert', table, row: copyInput(row) });
  }

  /**
   * Adds `by` to a numeric column of the row with key `key` (negative `by` decrements), checking
   * the result against the column's range. A null value cannot be incremented.
   */
  increment(table: string, key: Key, column: string, by: number | bigint): void {
    const tx = this.#open();
    tx.guard();
    incrementCell(tx, tx.table(table), key, column, by);
    tx.effects?.push({ op: 'increment', table, key, column, by });
  }

  /** Adds `value` to a list column of the row with key `key`, unless the list holds it already. */
  listAdd(table: string, key: Key, column: string, value: string): void {
    const tx = this.#open();
    tx.guard();
    changeList(tx, tx.table(table), key, column, value, true);
    tx.effects?.push({ op: 'listAdd', table, key, column, value });
  }

  /** Removes every `value` from a list column of the row with key `key`. */
  listRemove(table: string, key: Key, column: string, value: string): void {
    const tx = this.#open();
    tx.guard();
    changeList(tx, tx.table(table), key, column, value, false);
    tx.effects?.push({ op: 'listRemove', table, key, column, value });
  }

  /**
   * Checks a precondition against this transaction's state; throws PRECONDITION_FAILED, naming
   * the table, key, column, expected and actual values, when it does not hold.
   */
  require(table: string, key: Key, condition: Condition): void {
    const tx = this.#open();
    tx.guard();
    checkCondition(tx, tx.table(table), key, condition);
    tx.effects?.push({ op: 'require', table, key, condition });
  }

  /**
   * Appends the rows of Arrow record batches to `table` in one go, in their order: each row
   * group's chunks are written straight from the batches' buffers, and a dictionary-encoded
   * column's strings are interned once per distinct value. Columns are matched by name (a struct
   * by its fields); types must match the table's (Utf8 or a dictionary of Utf8 for dictionary
   * columns, List of either for list columns, Timestamp in milliseconds for timestamps); a
   * nullable column may be missing. Returns the number of rows loaded.
   */
  load(table: string, rows: LoadSource): number {
    const tx = this.#open();
    tx.guard();
    const ts = tx.table(table);
    // The recorded form first: batches that cannot form one table fail before anything is written.
    const recorded = tx.effects === null ? null : asTable(ts.layout, rows);
    const n = loadRows(tx, ts, rows);
    tx.ops++;
    if (n > 0 && recorded !== null) tx.effects?.push({ op: 'load', table, rows: recorded });
    return n;
  }

  /** Sets store metadata `key` to a string or a finite number, or deletes it (`null`). */
  setMeta(key: string, value: MetaValue | null): void {
    const tx = this.#open();
    tx.guard();
    tx.setMeta(key, value);
    tx.ops++;
    tx.effects?.push({ op: 'setMeta', key, value });
  }

  /** The store metadata with this transaction's changes: one key's value, or all of it. */
  meta(key: string): MetaValue | undefined {
    return this.#open().meta().get(key);
  }

  /** What this transaction has done so far, as a batch: applied to an identical store, it does the same. */
  get batch(): Batch {
    const effects = this.#effects;
    if (effects === null) {
      throw new StateError(
        'INVALID_OPTION',
        'this transaction recorded no batch: its store was created with recordEffects: false, or the write was given record: false',
      );
    }
    return { effects: [...effects] };
  }

  /** The row at position `row`, with this transaction's changes; all columns or only those named. */
  getAt(table: string, row: number, columns?: readonly string[]): Row {
    const tx = this.#open();
    const ts = tx.table(table);
    return this.#readAt(ts, checkRow(ts, row, tx.ops), columns);
  }

  /**
   * The row whose primary key is `key`, with this transaction's changes, or null; all columns or
   * only those named (a struct's name selects all its fields).
   */
  get(table: string, key: Key, columns?: readonly string[]): Row | null {
    const tx = this.#open();
    const ts = tx.table(table);
    const pos = positionOf(tx, ts, key);
    return pos < 0 ? null : this.#readAt(ts, pos, columns);
  }

  /** The position of the row with primary key `key`, or -1. */
  locate(table: string, key: Key): number {
    const tx = this.#open();
    return positionOf(tx, tx.table(table), key);
  }

  /** The code of `value` in dictionary `domain`, with this transaction's strings, or -1. */
  codeOf(domain: string, value: string): number {
    const tx = this.#open();
    return tx.domain(domainLayout(tx.layout, domain).index).lookup(tx.arena, value);
  }

  /** @internal Compacts dictionary domain `d` (see write/compaction.ts); returns what it found. */
  compactDomain(d: number, minDead: number): DomainUse {
    return compactDomain(this.#open(), d, minDead);
  }

  #readAt(ts: TxTable, pos: number, columns: readonly string[] | undefined): Row {
    const tx = this.#open();
    const gRef = groupRef(tx, ts, pos >>> ts.layout.groupShift);
    return readRow(
      tx.arena,
      segOf(gRef),
      offOf(gRef),
      pos & ts.layout.groupMask,
      rowShape(ts.layout, columns),
      tx.strings(),
    );
  }
}

/**
 * A load effect whose rows are built when first read (the record of insertRows): an own getter,
 * so that copying, cloning or comparing the effect reads them like a plain field.
 */
function lazyLoad(table: string, build: () => RecordBatch): Effect {
  let rows: Table | null = null;
  return {
    op: 'load',
    table,
    get rows(): Table {
      rows ??= new Table([build()]);
      return rows;
    },
  };
}
