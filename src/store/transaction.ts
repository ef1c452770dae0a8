import { describeValue, StateError } from '../errors.js';
import type { Arena } from '../memory/arena.js';
import type { SegmentViews } from '../memory/segments.js';
import { blockSize } from '../memory/size-class.js';
import { MAX_CODES } from './domain.js';
import { type BlockOps, TxDomain } from './domain-writer.js';
import { type Batch, type Condition, copyInput, type Effect, sameValue } from './effects.js';
import {
  type ColumnLayout,
  columnLayout,
  DIR_ENTRY,
  DIR_HEADER,
  domainEntry,
  domainLayout,
  E_BIRTH,
  E_DATA_BIRTH,
  E_DATA_CAP,
  E_DATA_HWM,
  E_DATA_OFF,
  E_DATA_SEG,
  E_HWM,
  E_OFF,
  E_SEG,
  GROUP_ENTRY,
  GROUP_HEADER,
  keyCode,
  LOC_ENTRY,
  MAX_KEY,
  missingKey,
  offOf,
  PAGE_BYTES,
  PAGE_MASK,
  PAGE_SHIFT,
  packRef,
  ROOT_HEADER,
  type StoreLayout,
  segOf,
  T_CHANGED,
  T_DIR_BIRTH,
  T_DIR_OFF,
  T_DIR_SEG,
  T_LOC_BIRTH,
  T_LOC_OFF,
  T_LOC_SEG,
  T_ROWS,
  TABLE_WORDS,
  type TableLayout,
  tableLayout,
} from './layout.js';
import { locateKey, readRow, readVar, type StringDecoder } from './read.js';
import { rowShape } from './row-shape.js';
import type { StringCache } from './string-cache.js';
import { utf8Length, writeUtf8 } from './utf8.js';
import {
  type Cell,
  type CellSite,
  copyCell,
  isValid,
  type Row,
  type RowInput,
  readValue,
  setValid,
  toCell,
  type Value,
  writeCell,
} from './values.js';

/** The writer's view of one table inside a transaction: the fields of its root entry, made mutable. */
export interface TxTable {
  readonly layout: TableLayout;
  dir: number; // packed ref, -1 when the table never had a row group
  dirBirth: number;
  dirCap: number;
  groups: number;
  rows: number;
  loc: number; // packed ref of the key locator directory, -1 when none
  locBirth: number;
  locCap: number;
  locPages: number;
  /** Whether this transaction changed the table (reads alone publish nothing). */
  dirty: boolean;
}

/** What a transaction hands back to the writer when it commits. */
export interface TxResult {
  /** Tables changed, by index; undefined for untouched ones. */
  readonly tables: readonly (TxTable | undefined)[];
  /** Published blocks this transaction replaced: ref, bytes, birth triples. */
  readonly retired: readonly number[];
  /** Blocks born and dropped inside this transaction: ref, bytes pairs, free at once on commit. */
  readonly dropped: readonly number[];
  /** Every block allocated: ref, bytes pairs, freed if the transaction aborts. */
  readonly allocated: readonly number[];
  /** Domains changed, by index; undefined for untouched ones. */
  readonly domains: readonly (TxDomain | undefined)[];
  /** Hash slots written in place in published blocks: segment, Int32 index pairs, cleared on abort. */
  readonly slots: readonly number[];
  /** Per domain: cells holding its codes that were deleted or overwritten (a hint for compaction). */
  readonly released: readonly number[];
  /** An operation failed half done (see Transaction#begin): the transaction must not commit. */
  readonly broken: boolean;
}

/** Limits on what one transaction may write. */
export interface WriteLimits {
  /** UTF-8 bytes of any one string value. */
  maxStringBytes: number;
  /** Operations (effects and preconditions) in one transaction or batch. */
  maxBatchOps: number;
}

/** What every transaction of a writer shares. */
export interface TxContext {
  readonly arena: Arena;
  readonly layout: StoreLayout;
  /** The owner thread's decoded strings. */
  readonly strings: StringCache;
  /** Whether transactions record their effects. */
  readonly record: boolean;
  readonly limits: WriteLimits;
}

/** A primary key: an integer id, or a string for a table keyed by a dictionary column. */
export type Key = number | string;

const dirBytes = (cap: number) => (DIR_HEADER + DIR_ENTRY * cap) * 8;
const capOfDir = (bytes: number) => Math.floor((blockSize(bytes) / 8 - DIR_HEADER) / DIR_ENTRY);
const locBytes = (cap: number) => (DIR_HEADER + LOC_ENTRY * cap) * 8;
const capOfLoc = (bytes: number) => Math.floor((blockSize(bytes) / 8 - DIR_HEADER) / LOC_ENTRY);

/**
 * A write transaction: a set of inserts, updates and deletes that the writer applies as one new
 * version, all or nothing. It is handed to the callback of `store.write` and is valid only inside
 * it. Reads through it (`count`, `getAt`, `locate`) see its own writes.
 *
 * Copy-on-write: the first change to a visible row of a chunk copies the chunk and the row-group
 * block and directory that point to it; later changes in the same transaction go to the copies.
 * Rows past a chunk's high-water mark are invisible to every version and are written in place.
 */
export class Transaction {
  /** The version this transaction will publish. */
  readonly version: number;
  readonly #arena: Arena;
  readonly #layout: StoreLayout;
  readonly #rootSeg: number;
  readonly #rootOff: number;
  readonly #tables: (TxTable | undefined)[];
  readonly #domains: (TxDomain | undefined)[];
  readonly #slots: number[] = [];
  readonly #released: number[];
  #domainOps: BlockOps | null = null;
  readonly #stringCache: StringCache;
  readonly #limits: WriteLimits;
  #decoder: StringDecoder | null = null;
  readonly #retired: number[] = [];
  readonly #dropped: number[] = [];
  readonly #allocated: number[] = [];
  readonly #cells: Cell[] = [];
  readonly #cols: ColumnLayout[] = [];
  readonly #cellSite: CellSite = { key: -1, row: -1, op: 0 };
  #ops = 0;
  #open = true;
  /** What the transaction did, as effects; null when the store does not record them. */
  readonly #effects: Effect[] | null;
  /** Inside an operation's changes (see #begin). */
  #inOp = false;

  /** @internal Made by the store's writer. */
  constructor(ctx: TxContext, rootRef: number, version: number) {
    const { arena, layout } = ctx;
    this.#arena = arena;
    this.#layout = layout;
    this.#limits = ctx.limits;
    this.#rootSeg = segOf(rootRef);
    this.#rootOff = offOf(rootRef);
    this.version = version;
    this.#tables = new Array(layout.tables.length);
    this.#domains = new Array(layout.domains.length);
    this.#released = new Array(layout.domains.length).fill(0);
    this.#stringCache = ctx.strings;
    this.#effects = ctx.record ? [] : null;
  }

  /** Number of rows `table` has, with this transaction's changes. */
  count(table: string): number {
    return this.#table(table).rows;
  }

  /** Inserts one row. Every non-null column must be given; the key must be new. */
  insert(table: string, row: RowInput): void {
    this.#guard();
    const ts = this.#table(table);
    const t = ts.layout;
    const op = this.#ops++;
    const cells = this.#cells;
    for (const name in row) {
      if (t.structs.has(name)) structValue(t, name, row[name], op);
      else columnLayout(t, name);
    }
    for (let c = 0; c < t.columns.length; c++) {
      const col = t.columns[c]!;
      const value =
        col.parent === null
          ? row[col.name]
          : (row[col.parent] as Record<string, unknown> | undefined)?.[col.leaf];
      cells[c] = toCell(t, col, value, this.#site(-1, -1, op), this.#limits.maxStringBytes);
    }
    let key = -1;
    if (t.key >= 0) {
      const given = cells[t.key] as Key;
      key =
        typeof given === 'string'
          ? this.#domain(t.columns[t.key]!.domain).lookup(this.#arena, given)
          : this.#checkKey(t, given, op);
      if (key >= 0 && this.#locate(ts, key) >= 0) {
        throw new StateError(
          'DUPLICATE_KEY',
          `${t.name} already has a row with key ${describeValue(given)}`,
          {
            table: t.name,
            key: given,
            op,
          },
        );
      }
    }
    this.#checkCodes(t, t.columns, cells, t.columns.length, op);
    this.#begin();
    for (let c = 0; c < t.columns.length; c++) {
      const col = t.columns[c]!;
      if (col.domain >= 0 && cells[c] !== null) cells[c] = this.#codes(t, col, cells[c]!, op);
    }
    if (t.key >= 0) key = cells[t.key] as number;
    ts.dirty = true;
    const pos = ts.rows;
    const i = pos & this.#layout.groupMask;
    const g = pos >>> this.#layout.groupShift;
    const gRef = i === 0 ? this.#newGroup(ts) : this.#groupForWrite(ts, g);
    for (let c = 0; c < t.columns.length; c++) this.#writeCell(gRef, t.columns[c]!, i, cells[c]!, i);
    this.#views(gRef).f64[offOf(gRef) >> 3] = i + 1;
    ts.rows = pos + 1;
    if (key >= 0) this.#setKey(ts, key, pos);
    this.#end();
    this.#effects?.push({ op: 'insert', table, row: copyInput(row) });
  }

  /** Updates some columns of the row whose primary key is `key` (a value of undefined leaves its column as it is). */
  update(table: string, key: Key, values: RowInput): void {
    this.#guard();
    const ts = this.#table(table);
    this.#updateRow(ts, key, this.#rowOfKey(ts, key, this.#ops), values);
    this.#effects?.push({ op: 'update', table, key, values: copyInput(values) });
  }

  /** Updates some columns of the row at position `row` (0 <= row < count), as `update` does. */
  updateAt(table: string, row: number, values: RowInput): void {
    this.#guard();
    const ts = this.#table(table);
    this.#updateRow(ts, -1, this.#checkRow(ts, row, this.#ops), values);
    this.#effects?.push({ op: 'updateAt', table, row, values: copyInput(values) });
  }

  /** Deletes the row whose primary key is `key`. The table's last row moves into its place. */
  delete(table: string, key: Key): void {
    this.#guard();
    const ts = this.#table(table);
    this.#deleteRow(ts, this.#rowOfKey(ts, key, this.#ops++));
    this.#effects?.push({ op: 'delete', table, key });
  }

  /** Deletes the row at position `row`. The table's last row moves into its place. */
  deleteAt(table: string, row: number): void {
    this.#guard();
    const ts = this.#table(table);
    this.#deleteRow(ts, this.#checkRow(ts, row, this.#ops++));
    this.#effects?.push({ op: 'deleteAt', table, row });
  }

  /** Inserts a row, or, if its key exists, updates the columns it gives (the key excepted). */
  upsert(table: string, row: RowInput): void {
    this.#guard();
    const ts = this.#table(table);
    const t = ts.layout;
    if (t.key < 0) throw missingKey(t);
    const keyCol = t.columns[t.key]!;
    const key = row[keyCol.name] as Key;
    const pos = this.#positionOf(ts, key);
    if (pos < 0) {
      this.insert(table, row);
      // The insert recorded itself; the upsert is recorded below instead.
      this.#effects?.pop();
    } else {
      const values: RowInput = { ...row };
      delete values[keyCol.name];
      this.#updateRow(ts, key, pos, values);
    }
    this.#effects?.push({ op: 'upsert', table, row: copyInput(row) });
  }

  /**
   * Adds `by` to a numeric column of the row with key `key` (negative `by` decrements), checking
   * the result against the column's range. A null value cannot be incremented.
   */
  increment(table: string, key: Key, column: string, by: number | bigint): void {
    this.#guard();
    const ts = this.#table(table);
    const t = ts.layout;
    const col = columnLayout(t, column);
    const op = this.#ops;
    const pos = this.#rowOfKey(ts, key, op);
    const mismatch = (why: string) =>
      new StateError(
        'TYPE_MISMATCH',
        `${t.name}.${column} of the row with key ${describeValue(key)}: ${why}`,
        {
          table: t.name,
          column,
          key,
          value: by,
          op,
        },
      );
    if (col.kind !== 'fixed' || col.domain >= 0 || col.type === 'bool') {
      throw mismatch(`only numeric columns can be incremented, not ${col.type}`);
    }
    if (col.index === t.key) {
      throw new StateError(
        'KEY_UPDATE',
        `${t.name}.${column} is the primary key; delete and insert instead`,
        {
          table: t.name,
          column,
          key,
          op,
        },
      );
    }
    const value = this.#valueAt(ts, pos, col);
    if (value === null) throw mismatch('null cannot be incremented');
    let next: Value;
    if (typeof value === 'bigint') {
      if (typeof by !== 'bigint' && !Number.isSafeInteger(by)) {
        throw mismatch(`increment by a bigint or a safe integer, got ${describeValue(by)}`);
      }
      next = value + BigInt(by);
    } else {
      if (typeof by !== 'number') throw mismatch(`increment by a number, got ${describeValue(by)}`);
      next = (value as number) + by;
    }
    const cell = toCell(t, col, next, this.#site(key, pos, op), this.#limits.maxStringBytes);
    // One numeric cell: the update path without its per-column bookkeeping.
    this.#ops++;
    this.#begin();
    ts.dirty = true;
    const i = pos & this.#layout.groupMask;
    const gRef = this.#groupForWrite(ts, pos >>> this.#layout.groupShift);
    this.#writeCell(gRef, col, i, cell, i + 1);
    this.#end();
    this.#effects?.push({ op: 'increment', table, key, column, by });
  }

  /** Adds `value` to a list column of the row with key `key`, unless the list holds it already. */
  listAdd(table: string, key: Key, column: string, value: string): void {
    this.#changeList(table, key, column, value, true);
  }

  /** Removes every `value` from a list column of the row with key `key`. */
  listRemove(table: string, key: Key, column: string, value: string): void {
    this.#changeList(table, key, column, value, false);
  }

  /**
   * Checks a precondition against this transaction's state; throws PRECONDITION_FAILED, naming
   * the table, key, column, expected and actual values, when it does not hold.
   */
  require(table: string, key: Key, condition: Condition): void {
    this.#guard();
    const ts = this.#table(table);
    const t = ts.layout;
    const pos = this.#positionOf(ts, key);
    const fail = (what: string, column?: string, value?: unknown): never => {
      throw new StateError('PRECONDITION_FAILED', `${t.name} row with key ${describeValue(key)}: ${what}`, {
        table: t.name,
        key,
        ...(column === undefined ? {} : { column, value }),
        op: this.#ops,
      });
    };
    if (!isCondition(condition)) {
      throw new StateError(
        'INVALID_BATCH',
        `a condition on ${t.name} is { exists: boolean }, { column, equals: value } or { column, in: [values] }, not ${describeValue(condition)}`,
        { table: t.name, key, op: this.#ops },
      );
    }
    if ('exists' in condition) {
      if (condition.exists && pos < 0) fail('required to exist, but there is no such row');
      if (!condition.exists && pos >= 0) fail('required not to exist, but it does');
    } else {
      const col = columnLayout(t, condition.column);
      if (pos < 0) fail(`required ${condition.column} to match, but there is no such row`, condition.column);
      const actual = this.#valueAt(ts, pos, col);
      const wanted = 'equals' in condition ? [condition.equals] : condition.in;
      if (!wanted.some((w) => sameValue(actual, w))) {
        const expected =
          'equals' in condition
            ? describeValue(condition.equals)
            : `one of ${condition.in.map(describeValue).join(', ')}`;
        fail(
          `required ${condition.column} to be ${expected}, but it is ${describeValue(actual)}`,
          condition.column,
          actual,
        );
      }
    }
    this.#ops++;
    this.#effects?.push({ op: 'require', table, key, condition });
  }

  /** What this transaction has done so far, as a batch: applied to an identical store, it does the same. */
  get batch(): Batch {
    if (this.#effects === null) {
      throw new StateError(
        'INVALID_OPTION',
        'this store was created with recordEffects: false, so transactions record no batch',
      );
    }
    return { effects: [...this.#effects] };
  }

  #changeList(table: string, key: Key, column: string, value: string, add: boolean): void {
    this.#guard();
    const ts = this.#table(table);
    const t = ts.layout;
    const col = columnLayout(t, column);
    const pos = this.#rowOfKey(ts, key, this.#ops);
    if (col.kind !== 'list' || typeof value !== 'string') {
      throw new StateError(
        'TYPE_MISMATCH',
        `${t.name}.${column}: list effects take a list column and a string, got ${col.type} and ${describeValue(value)}`,
        {
          table: t.name,
          column,
          key,
          value,
        },
      );
    }
    const items = (this.#valueAt(ts, pos, col) ?? []) as string[];
    const next = add ? (items.includes(value) ? items : [...items, value]) : items.filter((x) => x !== value);
    // Adding a present item or removing an absent one changes nothing, and writes nothing.
    if (next.length !== items.length) this.#updateRow(ts, key, pos, nestValue(col, next));
    else this.#ops++;
    this.#effects?.push({ op: add ? 'listAdd' : 'listRemove', table, key, column, value });
  }

  /** The row at position `row`, with this transaction's changes; all columns or only those named. */
  getAt(table: string, row: number, columns?: readonly string[]): Row {
    const ts = this.#table(table);
    return this.#readAt(ts, this.#checkRow(ts, row, this.#ops), columns);
  }

  /**
   * The row whose primary key is `key`, with this transaction's changes, or null; all columns or
   * only those named (a struct's name selects all its fields).
   */
  get(table: string, key: Key, columns?: readonly string[]): Row | null {
    const ts = this.#table(table);
    const pos = this.#positionOf(ts, key);
    return pos < 0 ? null : this.#readAt(ts, pos, columns);
  }

  /** The position of the row with primary key `key`, or -1. */
  locate(table: string, key: Key): number {
    return this.#positionOf(this.#table(table), key);
  }

  /** The code of `value` in dictionary `domain`, with this transaction's strings, or -1. */
  codeOf(domain: string, value: string): number {
    const d = domainLayout(this.#layout, domain);
    return this.#domain(d.index).lookup(this.#arena, value);
  }

  /**
   * @internal Drops the strings of dictionary domain `d` that no row references: rebuilds the
   * domain with dense codes and rewrites every column that holds its codes, and the key locators
   * of tables keyed by it, if at least `minDead` strings are dead. Returns the number of live ones.
   */
  compactDomain(d: number, minDead: number): number {
    const domain = this.#domain(d);
    const length = domain.length;
    const live = new Uint8Array(length);
    const users: { ts: TxTable; col: ColumnLayout }[] = [];
    for (const t of this.#layout.tables) {
      for (const col of t.columns) if (col.domain === d) users.push({ ts: this.#table(t.name), col });
    }
    const mark = (codes: Int8Array | Int16Array | Int32Array, at: number) => {
      live[codes[at]!] = 1;
    };
    for (const { ts, col } of users) this.#forEachCode(ts, col, mark);
    const remap = new Int32Array(length).fill(-1);
    let kept = 0;
    for (let code = 0; code < length; code++) if (live[code] === 1) remap[code] = kept++;
    if (length - kept < Math.max(1, minDead)) return kept;
    domain.rebuild(this.#blockOps(), remap, kept);
    for (const { ts, col } of users) {
      ts.dirty = true;
      for (let g = 0; g < ts.groups; g++) this.#remapGroup(ts, g, col, remap);
    }
    for (const t of this.#layout.tables) {
      if (t.key >= 0 && t.columns[t.key]!.domain === d) this.#rebuildLocator(this.#table(t.name));
    }
    return kept;
  }

  /** Calls `fn(codes, index)` for every code a dictionary or list column holds (nulls skipped). */
  #forEachCode(
    ts: TxTable,
    col: ColumnLayout,
    fn: (codes: Int8Array | Int16Array | Int32Array, at: number) => void,
  ): void {
    for (let g = 0; g < ts.groups; g++) {
      const gRef = this.#groupRef(ts, g);
      const f64 = this.#views(gRef).f64;
      const b = offOf(gRef) >> 3;
      const count = f64[b]!;
      const e = b + GROUP_HEADER + col.index * GROUP_ENTRY;
      const cv = this.#arena.get(f64[e + E_SEG]!);
      const chunk = f64[e + E_OFF]!;
      if (col.kind === 'list') {
        const end = cv.i32[((chunk + col.validityBytes) >> 2) + count]!;
        if (end === 0) continue;
        const codes = this.#arena.get(f64[e + E_DATA_SEG]!).i32;
        const base = f64[e + E_DATA_OFF]! >> 2;
        for (let k = 0; k < end; k++) fn(codes, base + k);
        continue;
      }
      const codes = cv[col.view as 'i8' | 'i16' | 'i32'];
      const base = (chunk + col.validityBytes) >> col.shift;
      for (let i = 0; i < count; i++) if (isValid(cv, chunk, col, i)) fn(codes, base + i);
    }
  }

  /** Rewrites the codes of `col` in row group `g` through `remap`, in new blocks. */
  #remapGroup(ts: TxTable, g: number, col: ColumnLayout, remap: Int32Array): void {
    const gRef = this.#groupForWrite(ts, g);
    const f64 = this.#views(gRef).f64;
    const b = offOf(gRef) >> 3;
    const count = f64[b]!;
    const e = b + GROUP_HEADER + col.index * GROUP_ENTRY;
    if (col.kind === 'list') {
      const cv = this.#arena.get(f64[e + E_SEG]!);
      const end = cv.i32[((f64[e + E_OFF]! + col.validityBytes) >> 2) + count]!;
      if (end === 0) return;
      const cap = f64[e + E_DATA_CAP]!;
      const ref = this.#alloc(cap * 4);
      const src = this.#arena.get(f64[e + E_DATA_SEG]!).i32;
      const sb = f64[e + E_DATA_OFF]! >> 2;
      const dst = this.#views(ref).i32;
      const db = offOf(ref) >> 2;
      for (let k = 0; k < end; k++) dst[db + k] = remap[src[sb + k]!]!;
      this.#drop(packRef(f64[e + E_DATA_SEG]!, f64[e + E_DATA_OFF]!), cap * 4, f64[e + E_DATA_BIRTH]!);
      f64[e + E_DATA_SEG] = segOf(ref);
      f64[e + E_DATA_OFF] = offOf(ref);
      f64[e + E_DATA_BIRTH] = this.version;
      f64[e + E_DATA_HWM] = 0;
      return;
    }
    // Row 0 is below the high-water mark of every published chunk, so this copies the chunk.
    const ref = this.#chunkForWrite(gRef, col, 0);
    const cv = this.#views(ref);
    const codes = cv[col.view as 'i8' | 'i16' | 'i32'];
    const base = (offOf(ref) + col.validityBytes) >> col.shift;
    for (let i = 0; i < count; i++)
      if (isValid(cv, offOf(ref), col, i)) codes[base + i] = remap[codes[base + i]!]!;
  }

  /** Rebuilds a table's key locator from its rows (after its key domain's codes changed). */
  #rebuildLocator(ts: TxTable): void {
    if (ts.loc >= 0) {
      const f64 = this.#views(ts.loc).f64;
      const d = offOf(ts.loc) >> 3;
      for (let p = 0; p < ts.locPages; p++) {
        const e = d + DIR_HEADER + p * LOC_ENTRY;
        if (f64[e]! >= 0) this.#drop(packRef(f64[e]!, f64[e + 1]!), PAGE_BYTES, f64[e + 2]!);
      }
      this.#drop(ts.loc, locBytes(ts.locCap), ts.locBirth);
    }
    ts.loc = -1;
    ts.locCap = 0;
    ts.locPages = 0;
    ts.dirty = true;
    for (let pos = 0; pos < ts.rows; pos++) this.#setKey(ts, this.#keyAt(ts, pos), pos);
  }

  /** @internal Ends the transaction and hands its changes to the writer. */
  finish(): TxResult {
    this.#open = false;
    return {
      tables: this.#tables,
      retired: this.#retired,
      dropped: this.#dropped,
      allocated: this.#allocated,
      domains: this.#domains,
      slots: this.#slots,
      released: this.#released,
      broken: this.#inOp,
    };
  }

  #readAt(ts: TxTable, pos: number, columns: readonly string[] | undefined): Row {
    const gRef = this.#groupRef(ts, pos >>> this.#layout.groupShift);
    return readRow(
      this.#arena,
      segOf(gRef),
      offOf(gRef),
      pos & this.#layout.groupMask,
      rowShape(ts.layout, columns),
      this.#strings(),
    );
  }

  /** The block operations a domain uses (made on first use: most transactions need none). */
  #blockOps(): BlockOps {
    if (this.#domainOps === null) {
      this.#domainOps = {
        version: this.version,
        get: (seg) => this.#arena.get(seg),
        alloc: (bytes) => this.#alloc(bytes),
        drop: (ref, bytes, birth) => this.#drop(ref, bytes, birth),
        copy: (from, to, bytes) => this.#copy(from, to, bytes),
        wroteSlot: (seg, index) => this.#slots.push(seg, index),
      };
    }
    return this.#domainOps;
  }

  #strings(): StringDecoder {
    if (this.#decoder === null) {
      this.#decoder = { decode: (d, code) => this.#domain(d).decode(this.#arena, code, this.#stringCache) };
    }
    return this.#decoder;
  }

  /** The value of one stored column at row `pos`, with this transaction's changes. */
  #valueAt(ts: TxTable, pos: number, col: ColumnLayout): Value {
    const gRef = this.#groupRef(ts, pos >>> this.#layout.groupShift);
    const f64 = this.#views(gRef).f64;
    const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
    const i = pos & this.#layout.groupMask;
    if (col.kind !== 'fixed') return readVar(this.#arena, f64, e, col, i, this.#strings()) as Value;
    const v = readValue(this.#arena.get(f64[e + E_SEG]!), f64[e + E_OFF]!, col, i);
    return col.domain >= 0 && v !== null ? this.#strings().decode(col.domain, v as number) : v;
  }

  /** Refuses another operation once the transaction holds as many as a batch may. */
  #guard(): void {
    if (this.#ops >= this.#limits.maxBatchOps) {
      throw new StateError(
        'BATCH_TOO_LARGE',
        `a transaction or batch may hold ${this.#limits.maxBatchOps} operations; split the work into several`,
        { op: this.#ops },
      );
    }
  }

  #site(key: Key, row: number, op: number): CellSite {
    const site = this.#cellSite;
    site.key = key;
    site.row = row;
    site.op = op;
    return site;
  }

  // --- rows -------------------------------------------------------------------------------------

  #updateRow(ts: TxTable, key: Key, pos: number, values: RowInput): void {
    const t = ts.layout;
    const op = this.#ops++;
    const cols = this.#cols;
    const cells = this.#cells;
    let n = 0;
    for (const name in values) {
      const value = values[name];
      // An update names the columns it changes: undefined means "not given", null means null.
      if (value === undefined) continue;
      if (t.structs.size > 0 && t.structs.has(name)) {
        // A struct names the fields it changes, likewise.
        const fields = structValue(t, name, value, op)!;
        for (const field in fields) {
          const v = fields[field];
          if (v === undefined) continue;
          const col = columnLayout(t, `${name}.${field}`);
          cols[n] = col;
          cells[n++] = toCell(t, col, v, this.#site(key, pos, op), this.#limits.maxStringBytes);
        }
        continue;
      }
      const col = columnLayout(t, name);
      if (col.index === t.key) {
        throw new StateError(
          'KEY_UPDATE',
          `${t.name}.${name} is the primary key; delete and insert instead`,
          {
            table: t.name,
            column: name,
            row: pos,
            op,
          },
        );
      }
      cols[n] = col;
      cells[n++] = toCell(t, col, value, this.#site(key, pos, op), this.#limits.maxStringBytes);
    }
    if (n === 0) return;
    this.#checkCodes(t, cols, cells, n, op);
    this.#begin();
    for (let k = 0; k < n; k++) {
      const col = cols[k]!;
      if (col.domain >= 0 && cells[k] !== null) cells[k] = this.#codes(t, col, cells[k]!, op);
    }
    ts.dirty = true;
    for (let k = 0; k < n; k++) if (cols[k]!.domain >= 0) this.#released[cols[k]!.domain]!++;
    const i = pos & this.#layout.groupMask;
    const gRef = this.#groupForWrite(ts, pos >>> this.#layout.groupShift);
    const count = this.#views(gRef).f64[offOf(gRef) >> 3]!;
    for (let k = 0; k < n; k++) this.#writeCell(gRef, cols[k]!, i, cells[k]!, count);
    this.#end();
  }

  #deleteRow(ts: TxTable, pos: number): void {
    this.#begin();
    const t = ts.layout;
    const { groupShift, groupMask } = this.#layout;
    ts.dirty = true;
    for (const col of t.columns) if (col.domain >= 0) this.#released[col.domain]!++;
    const last = ts.rows - 1;
    const li = last & groupMask;
    const lg = last >>> groupShift;
    if (t.key >= 0) this.#setKey(ts, this.#keyAt(ts, pos), -1);
    if (pos !== last) {
      // Keep row groups dense: the table's last row fills the hole.
      const i = pos & groupMask;
      const gRef = this.#groupForWrite(ts, pos >>> groupShift);
      const srcRef = this.#groupRef(ts, lg);
      const count = this.#views(gRef).f64[offOf(gRef) >> 3]!;
      for (let c = 0; c < t.columns.length; c++) {
        const col = t.columns[c]!;
        if (col.kind !== 'fixed') {
          // Variable-length values are re-read and rewritten: their offsets differ between rows.
          this.#writeCell(gRef, col, i, this.#readVarCell(srcRef, col, li), count);
          continue;
        }
        const dst = this.#chunkForWrite(gRef, col, i);
        const src = this.#chunkOf(srcRef, col);
        copyCell(this.#views(src), offOf(src), li, this.#views(dst), offOf(dst), i, col);
      }
      if (t.key >= 0) this.#setKey(ts, this.#keyAt(ts, pos), pos);
    }
    if (li === 0) {
      this.#dropGroup(ts, lg);
    } else {
      const gRef = this.#groupForWrite(ts, lg);
      this.#views(gRef).f64[offOf(gRef) >> 3] = li;
    }
    ts.rows = last;
    this.#end();
  }

  /**
   * Marks the start of an operation's changes. Until the matching #end, a throw (a full arena)
   * can leave the operation half done: the transaction is then broken, and committing it refuses.
   * Errors raised before #begin (bad input) leave nothing behind, so a callback may catch those
   * and go on.
   */
  #begin(): void {
    this.#inOp = true;
  }

  #end(): void {
    this.#inOp = false;
  }

  /**
   * Fails an operation before it changes anything if a string it writes would need a code wider
   * than its column holds: new strings get codes past the domain's length, in order.
   */
  #checkCodes(
    t: TableLayout,
    cols: readonly ColumnLayout[],
    cells: readonly Cell[],
    n: number,
    op: number,
  ): void {
    let fresh: Map<number, Set<string>> | null = null;
    for (let k = 0; k < n; k++) {
      const col = cols[k]!;
      const cell = cells[k];
      // 32-bit code columns hold any code a domain can have.
      if (col.domain < 0 || cell === null || col.max >= MAX_CODES) continue;
      const d = this.#domain(col.domain);
      for (const s of typeof cell === 'string' ? [cell] : (cell as readonly string[])) {
        let code = d.lookup(this.#arena, s);
        if (code < 0) {
          fresh ??= new Map();
          let set = fresh.get(col.domain);
          if (set === undefined) {
            set = new Set();
            fresh.set(col.domain, set);
          }
          set.add(s);
          code = d.length + set.size - 1;
        }
        if (code > col.max) {
          throw new StateError(
            'OUT_OF_RANGE',
            `${t.name}.${col.name}: domain ${d.layout.name} would hold ${code + 1} strings, more than the column's ${col.shift * 8 + 8}-bit codes can name (value ${describeValue(s)})`,
            { table: t.name, column: col.name, value: s, op },
          );
        }
      }
    }
  }

  /** A dictionary cell's code, or a list cell's codes, interning new strings. */
  #codes(t: TableLayout, col: ColumnLayout, cell: Cell, op: number): Cell {
    if (col.kind !== 'list') return this.#intern(t, col, cell as string, op);
    const items = cell as readonly string[];
    const codes = new Array<number>(items.length);
    for (let k = 0; k < items.length; k++) codes[k] = this.#intern(t, col, items[k]!, op);
    return codes;
  }

  /** Writes a checked cell at row `i` of the writable group `gRef`, which holds `count` rows. */
  #writeCell(gRef: number, col: ColumnLayout, i: number, cell: Cell, count: number): void {
    if (col.kind !== 'fixed') {
      this.#writeVar(gRef, col, i, cell as string | readonly number[] | null, count);
      return;
    }
    const ref = this.#chunkForWrite(gRef, col, i);
    writeCell(this.#arena.get(segOf(ref)), offOf(ref), col, i, cell);
  }

  /** Row `i` of a utf8 or list column of group `gRef` in its stored form: a string or codes. */
  #readVarCell(gRef: number, col: ColumnLayout, i: number): string | number[] | null {
    const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
    // Codes, not strings, for lists: the row moves within one domain.
    return readVar(this.#arena, this.#views(gRef).f64, e, col, i, null) as string | number[] | null;
  }

  /**
   * Writes row `i` (an append when `i === count`, else a replacement) of a utf8 or list column.
   * The chunk holds offsets into a data block of items (UTF-8 bytes, or Int32 codes). Items past
   * the data block's high-water mark are invisible to every version, so an append writes them in
   * place; a replacement shifts the items after it, in a new data block unless this transaction
   * made the block or everything moved lies past the high-water mark.
   */
  #writeVar(
    gRef: number,
    col: ColumnLayout,
    i: number,
    cell: string | readonly number[] | null,
    count: number,
  ): void {
    const chunkRef = this.#chunkForWrite(gRef, col, i);
    const cv = this.#views(chunkRef);
    const offs = cv.i32;
    const ob = (offOf(chunkRef) + col.validityBytes) >> 2;
    if (col.nullable) setValid(cv, offOf(chunkRef), i, cell !== null);
    const unit = col.kind === 'list' ? 4 : 1;
    const items = cell === null ? 0 : typeof cell === 'string' ? utf8Length(cell) : cell.length;
    const start = offs[ob + i]!;
    const oldEnd = i === count ? start : offs[ob + i + 1]!;
    const end = offs[ob + count]!;
    const delta = items - (oldEnd - start);
    const newEnd = end + delta;

    const f64 = this.#views(gRef).f64;
    const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
    let dSeg = f64[e + E_DATA_SEG]!;
    let dOff = f64[e + E_DATA_OFF]!;
    const dCap = f64[e + E_DATA_CAP]!;
    const writable = dSeg >= 0 && (f64[e + E_DATA_BIRTH] === this.version || start >= f64[e + E_DATA_HWM]!);
    if (newEnd > 0 && (!writable || newEnd > dCap)) {
      // Room for half as much again, so appends in later transactions mostly write in place.
      const cap = Math.floor(blockSize(Math.max(newEnd + (newEnd >> 1), 64) * unit) / unit);
      const ref = this.#alloc(cap * unit);
      const dst = this.#views(ref).u8;
      if (dSeg >= 0) {
        const src = this.#arena.get(dSeg).u8;
        dst.set(src.subarray(dOff, dOff + start * unit), offOf(ref));
        if (end > oldEnd) {
          dst.set(src.subarray(dOff + oldEnd * unit, dOff + end * unit), offOf(ref) + (start + items) * unit);
        }
        this.#drop(packRef(dSeg, dOff), dCap * unit, f64[e + E_DATA_BIRTH]!);
      }
      dSeg = segOf(ref);
      dOff = offOf(ref);
      f64[e + E_DATA_SEG] = dSeg;
      f64[e + E_DATA_OFF] = dOff;
      f64[e + E_DATA_BIRTH] = this.version;
      f64[e + E_DATA_CAP] = cap;
      f64[e + E_DATA_HWM] = 0;
    } else if (delta !== 0 && end > oldEnd) {
      const u8 = this.#arena.get(dSeg).u8;
      u8.copyWithin(dOff + (oldEnd + delta) * unit, dOff + oldEnd * unit, dOff + end * unit);
    }
    if (items > 0) {
      const data = this.#arena.get(dSeg);
      if (typeof cell === 'string') writeUtf8(cell, data.u8, dOff + start, items);
      else data.i32.set(cell as readonly number[], (dOff >> 2) + start);
    }
    if (delta !== 0) for (let r = i + 1; r <= count; r++) offs[ob + r] = offs[ob + r]! + delta;
    offs[ob + i + 1] = start + items;
  }

  #keyAt(ts: TxTable, pos: number): number {
    const gRef = this.#groupRef(ts, pos >>> this.#layout.groupShift);
    const col = ts.layout.columns[ts.layout.key]!;
    const chunk = this.#chunkOf(gRef, col);
    return readValue(this.#views(chunk), offOf(chunk), col, pos & this.#layout.groupMask) as number;
  }

  #checkRow(ts: TxTable, row: number, op: number): number {
    if (!Number.isInteger(row) || row < 0 || row >= ts.rows) {
      throw new StateError(
        'ROW_OUT_OF_RANGE',
        `${ts.layout.name} has ${ts.rows} rows; row ${String(row)} is not one of them`,
        { table: ts.layout.name, row, op },
      );
    }
    return row;
  }

  #checkKey(t: TableLayout, key: number, op: number): number {
    if (key < 0 || key > MAX_KEY) {
      throw new StateError(
        'OUT_OF_RANGE',
        `${t.name}.${t.columns[t.key]!.name}: keys are ids in [0, ${MAX_KEY}], got ${key}`,
        {
          table: t.name,
          column: t.columns[t.key]!.name,
          key,
          value: key,
          op,
        },
      );
    }
    return key;
  }

  #rowOfKey(ts: TxTable, key: Key, op: number): number {
    const pos = this.#positionOf(ts, key);
    if (pos < 0) {
      const t = ts.layout;
      throw new StateError('KEY_NOT_FOUND', `${t.name} has no row with key ${describeValue(key)}`, {
        table: t.name,
        key,
        op,
      });
    }
    return pos;
  }

  /** The position of the row with key `key` (a string for dictionary keys), or -1. */
  #positionOf(ts: TxTable, key: Key): number {
    const code = keyCode(ts.layout, key, (d, s) => this.#domain(d).lookup(this.#arena, s));
    return code < 0 ? -1 : this.#locate(ts, code);
  }

  /** The code of `s` in the domain of dictionary column `col`, interning it if new. */
  #intern(t: TableLayout, col: ColumnLayout, s: string, op: number): number {
    const d = this.#domain(col.domain);
    const code = d.intern(this.#blockOps(), s);
    if (code > col.max) {
      throw new StateError(
        'OUT_OF_RANGE',
        `${t.name}.${col.name}: domain ${d.layout.name} would hold ${code + 1} strings, more than the column's ${col.shift * 8 + 8}-bit codes can name (value ${describeValue(s)})`,
        { table: t.name, column: col.name, value: s, op },
      );
    }
    return code;
  }

  #domain(d: number): TxDomain {
    const known = this.#domains[d];
    if (known !== undefined) return known;
    const f64 = this.#arena.get(this.#rootSeg).f64;
    const domain = new TxDomain(this.#layout.domains[d]!, f64, domainEntry(this.#layout, this.#rootOff, d));
    this.#domains[d] = domain;
    return domain;
  }

  // --- blocks -----------------------------------------------------------------------------------

  #table(name: string): TxTable {
    if (!this.#open)
      throw new StateError(
        'STORE_CLOSED',
        'this transaction has ended; use it only inside its write callback',
      );
    const layout = tableLayout(this.#layout, name);
    const known = this.#tables[layout.index];
    if (known !== undefined) return known;
    const f64 = this.#arena.get(this.#rootSeg).f64;
    const w = (this.#rootOff >> 3) + ROOT_HEADER + layout.index * TABLE_WORDS;
    const dirSeg = f64[w + T_DIR_SEG]!;
    const locSeg = f64[w + T_LOC_SEG]!;
    const dir = dirSeg < 0 ? -1 : packRef(dirSeg, f64[w + T_DIR_OFF]!);
    const loc = locSeg < 0 ? -1 : packRef(locSeg, f64[w + T_LOC_OFF]!);
    const dirWords = dir < 0 ? null : this.#views(dir).f64;
    const locWords = loc < 0 ? null : this.#views(loc).f64;
    const ts: TxTable = {
      layout,
      dir,
      dirBirth: f64[w + T_DIR_BIRTH]!,
      dirCap: dirWords === null ? 0 : dirWords[(offOf(dir) >> 3) + 1]!,
      groups: dirWords === null ? 0 : dirWords[offOf(dir) >> 3]!,
      rows: f64[w + T_ROWS]!,
      loc,
      locBirth: f64[w + T_LOC_BIRTH]!,
      locCap: locWords === null ? 0 : locWords[(offOf(loc) >> 3) + 1]!,
      locPages: locWords === null ? 0 : locWords[offOf(loc) >> 3]!,
      dirty: false,
    };
    this.#tables[layout.index] = ts;
    return ts;
  }

  #views(ref: number): SegmentViews {
    return this.#arena.get(segOf(ref));
  }

  #alloc(bytes: number): number {
    const ref = this.#arena.alloc(bytes);
    this.#allocated.push(ref, bytes);
    return ref;
  }

  /** Gives up a block: freed at commit if this transaction made it, else retired from this version. */
  #drop(ref: number, bytes: number, birth: number): void {
    if (birth === this.version) this.#dropped.push(ref, bytes);
    else this.#retired.push(ref, bytes, birth);
  }

  #copy(from: number, to: number, bytes: number): void {
    const src = this.#views(from).u8;
    const dst = this.#views(to).u8;
    const at = offOf(from);
    if (src === dst) dst.copyWithin(offOf(to), at, at + bytes);
    else dst.set(src.subarray(at, at + bytes), offOf(to));
  }

  /** Makes the table's directory writable with room for `cap` row groups. */
  #dirForWrite(ts: TxTable, cap: number): Float64Array {
    if (ts.dir >= 0 && ts.dirBirth === this.version && ts.dirCap >= cap) return this.#views(ts.dir).f64;
    const want = cap > ts.dirCap ? Math.max(cap, ts.dirCap * 2, 4) : cap;
    const bytes = dirBytes(want);
    const ref = this.#alloc(bytes);
    const newCap = capOfDir(bytes);
    if (ts.dir >= 0) {
      this.#copy(ts.dir, ref, dirBytes(ts.groups));
      this.#drop(ts.dir, dirBytes(ts.dirCap), ts.dirBirth);
    }
    const f64 = this.#views(ref).f64;
    const d = offOf(ref) >> 3;
    f64[d] = ts.groups;
    f64[d + 1] = newCap;
    ts.dir = ref;
    ts.dirBirth = this.version;
    ts.dirCap = newCap;
    return f64;
  }

  #groupRef(ts: TxTable, g: number): number {
    const f64 = this.#views(ts.dir).f64;
    const e = (offOf(ts.dir) >> 3) + DIR_HEADER + g * DIR_ENTRY;
    return packRef(f64[e]!, f64[e + 1]!);
  }

  #chunkOf(gRef: number, col: ColumnLayout): number {
    const f64 = this.#views(gRef).f64;
    const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
    return packRef(f64[e]!, f64[e + 1]!);
  }

  /** Makes row group `g` writable, copying its block the first time in this transaction. */
  #groupForWrite(ts: TxTable, g: number): number {
    const dir = this.#dirForWrite(ts, ts.groups);
    const e = (offOf(ts.dir) >> 3) + DIR_HEADER + g * DIR_ENTRY;
    const birth = dir[e + 2]!;
    const old = packRef(dir[e]!, dir[e + 1]!);
    if (birth === this.version) return old;
    const bytes = ts.layout.groupBytes;
    const ref = this.#alloc(bytes);
    this.#copy(old, ref, bytes);
    // Every version that saw the old block saw its row count: those rows of its chunks are now
    // visible, so raise each chunk's high-water mark to it.
    const f64 = this.#views(ref).f64;
    const b = offOf(ref) >> 3;
    const count = f64[b]!;
    const columns = ts.layout.columns;
    for (let c = 0, w = b + GROUP_HEADER; c < columns.length; c++, w += GROUP_ENTRY) {
      if (f64[w + E_HWM]! < count) f64[w + E_HWM] = count;
      const col = columns[c]!;
      if (col.kind !== 'fixed') {
        // Likewise the items of those rows: data past offsets[count] was never visible.
        const end = this.#arena.get(f64[w + E_SEG]!).i32[
          ((f64[w + E_OFF]! + col.validityBytes) >> 2) + count
        ]!;
        if (f64[w + E_DATA_HWM]! < end) f64[w + E_DATA_HWM] = end;
      }
    }
    this.#drop(old, bytes, birth);
    dir[e] = segOf(ref);
    dir[e + 1] = offOf(ref);
    dir[e + 2] = this.version;
    return ref;
  }

  /** Appends an empty row group with fresh chunks. */
  #newGroup(ts: TxTable): number {
    const g = ts.groups;
    const dir = this.#dirForWrite(ts, g + 1);
    const t = ts.layout;
    const ref = this.#alloc(t.groupBytes);
    const f64 = this.#views(ref).f64;
    const b = offOf(ref) >> 3;
    f64[b] = 0;
    f64[b + 1] = 0;
    for (let c = 0, w = b + GROUP_HEADER; c < t.columns.length; c++, w += GROUP_ENTRY) {
      const col = t.columns[c]!;
      const chunk = this.#alloc(col.chunkBytes);
      f64.fill(0, w, w + GROUP_ENTRY);
      f64[w + E_SEG] = segOf(chunk);
      f64[w + E_OFF] = offOf(chunk);
      f64[w + E_BIRTH] = this.version;
      f64[w + E_DATA_SEG] = -1;
      if (col.kind !== 'fixed')
        this.#arena.get(segOf(chunk)).i32[(offOf(chunk) + col.validityBytes) >> 2] = 0;
    }
    const d = offOf(ts.dir) >> 3;
    const e = d + DIR_HEADER + g * DIR_ENTRY;
    dir[e] = segOf(ref);
    dir[e + 1] = offOf(ref);
    dir[e + 2] = this.version;
    dir[d] = g + 1;
    ts.groups = g + 1;
    return ref;
  }

  /** Removes the table's last row group, which has become empty. */
  #dropGroup(ts: TxTable, g: number): void {
    const dir = this.#dirForWrite(ts, ts.groups);
    const d = offOf(ts.dir) >> 3;
    const e = d + DIR_HEADER + g * DIR_ENTRY;
    const gRef = packRef(dir[e]!, dir[e + 1]!);
    const f64 = this.#views(gRef).f64;
    const b = offOf(gRef) >> 3;
    const t = ts.layout;
    for (let c = 0, w = b + GROUP_HEADER; c < t.columns.length; c++, w += GROUP_ENTRY) {
      const col = t.columns[c]!;
      this.#drop(packRef(f64[w + E_SEG]!, f64[w + E_OFF]!), col.chunkBytes, f64[w + E_BIRTH]!);
      if (col.kind !== 'fixed' && f64[w + E_DATA_SEG]! >= 0) {
        const unit = col.kind === 'list' ? 4 : 1;
        this.#drop(
          packRef(f64[w + E_DATA_SEG]!, f64[w + E_DATA_OFF]!),
          f64[w + E_DATA_CAP]! * unit,
          f64[w + E_DATA_BIRTH]!,
        );
      }
    }
    this.#drop(gRef, t.groupBytes, dir[e + 2]!);
    dir[d] = g;
    ts.groups = g;
  }

  /**
   * A writable chunk of column `col` in the writable group `gRef`, for a write at row `row`: the
   * chunk itself if this transaction made it or the row is past its high-water mark, else a copy.
   */
  #chunkForWrite(gRef: number, col: ColumnLayout, row: number): number {
    const f64 = this.#views(gRef).f64;
    const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
    const old = packRef(f64[e]!, f64[e + 1]!);
    const birth = f64[e + 2]!;
    if (birth === this.version || row >= f64[e + 3]!) return old;
    const ref = this.#alloc(col.chunkBytes);
    this.#copy(old, ref, col.chunkBytes);
    this.#drop(old, col.chunkBytes, birth);
    f64[e] = segOf(ref);
    f64[e + 1] = offOf(ref);
    f64[e + 2] = this.version;
    f64[e + 3] = 0;
    return ref;
  }

  // --- key locator ------------------------------------------------------------------------------

  #locate(ts: TxTable, key: number): number {
    return ts.loc < 0 ? -1 : locateKey(this.#arena, segOf(ts.loc), offOf(ts.loc), key);
  }

  /**
   * Points `key` at row `pos` (-1 removes it), copying the locator page it lives in. Each page
   * counts its live keys, and a page whose last key goes is freed, so the locator's size follows the
   * live keys, not every key ever used.
   */
  #setKey(ts: TxTable, key: number, pos: number): void {
    const page = key >>> PAGE_SHIFT;
    const dir = this.#locDirForWrite(ts, page + 1);
    const e = (offOf(ts.loc) >> 3) + DIR_HEADER + page * LOC_ENTRY;
    let pSeg = dir[e]!;
    let pOff = dir[e + 1]!;
    const birth = dir[e + 2]!;
    if (pSeg < 0 || birth !== this.version) {
      const ref = this.#alloc(PAGE_BYTES);
      if (pSeg < 0) {
        this.#arena.get(segOf(ref)).i32.fill(-1, offOf(ref) >> 2, (offOf(ref) + PAGE_BYTES) >> 2);
        dir[e + 3] = 0;
      } else {
        const old = packRef(pSeg, pOff);
        this.#copy(old, ref, PAGE_BYTES);
        this.#drop(old, PAGE_BYTES, birth);
      }
      pSeg = segOf(ref);
      pOff = offOf(ref);
      dir[e] = pSeg;
      dir[e + 1] = pOff;
      dir[e + 2] = this.version;
    }
    const i32 = this.#arena.get(pSeg).i32;
    const at = (pOff >> 2) + (key & PAGE_MASK);
    const was = i32[at]!;
    i32[at] = pos;
    if (was < 0 && pos >= 0) dir[e + 3]!++;
    else if (was >= 0 && pos < 0 && --dir[e + 3]! === 0) {
      this.#drop(packRef(pSeg, pOff), PAGE_BYTES, this.version);
      dir[e] = -1;
    }
  }

  #locDirForWrite(ts: TxTable, pages: number): Float64Array {
    if (ts.loc >= 0 && ts.locBirth === this.version && ts.locCap >= pages) {
      const f64 = this.#views(ts.loc).f64;
      this.#extendPages(ts, f64, pages);
      return f64;
    }
    const want = Math.max(pages, ts.locPages);
    const bytes = locBytes(pages > ts.locCap ? Math.max(want, ts.locCap * 2, 1) : want);
    const ref = this.#alloc(bytes);
    if (ts.loc >= 0) {
      this.#copy(ts.loc, ref, locBytes(ts.locPages));
      this.#drop(ts.loc, locBytes(ts.locCap), ts.locBirth);
    }
    const f64 = this.#views(ref).f64;
    const d = offOf(ref) >> 3;
    f64[d] = ts.locPages;
    f64[d + 1] = capOfLoc(bytes);
    ts.loc = ref;
    ts.locBirth = this.version;
    ts.locCap = capOfLoc(bytes);
    this.#extendPages(ts, f64, pages);
    return f64;
  }

  #extendPages(ts: TxTable, f64: Float64Array, pages: number): void {
    if (pages <= ts.locPages) return;
    const d = offOf(ts.loc) >> 3;
    for (let p = ts.locPages; p < pages; p++) {
      f64[d + DIR_HEADER + p * LOC_ENTRY] = -1;
      f64[d + DIR_HEADER + p * LOC_ENTRY + 3] = 0;
    }
    f64[d] = pages;
    ts.locPages = pages;
  }
}

/**
 * Checks a struct column's value: undefined (not given), or an object whose keys are its fields.
 * Returns the object.
 */
/** Whether `c` has the shape of a Condition (it may come from a batch made elsewhere). */
function isCondition(c: unknown): c is Condition {
  if (c === null || typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  if ('exists' in o) return typeof o.exists === 'boolean';
  return typeof o.column === 'string' && ('equals' in o || Array.isArray(o.in));
}

/** The values object that sets stored column `col` to `value` (nested for a struct's field). */
function nestValue(col: ColumnLayout, value: Value): RowInput {
  return col.parent === null ? { [col.name]: value } : { [col.parent]: { [col.leaf]: value } };
}

function structValue(
  t: TableLayout,
  name: string,
  value: unknown,
  op: number,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw new StateError(
      'TYPE_MISMATCH',
      `${t.name}.${name}: expected an object of its fields, got ${describeValue(value)}`,
      {
        table: t.name,
        column: name,
        value,
        op,
      },
    );
  }
  const fields = value as Record<string, unknown>;
  for (const field in fields) columnLayout(t, `${name}.${field}`);
  return fields;
}

/** Writes the root entry of a table as a transaction left it. */
export function writeTableEntry(f64: Float64Array, w: number, ts: TxTable, version: number): void {
  f64[w + T_DIR_SEG] = ts.dir < 0 ? -1 : segOf(ts.dir);
  f64[w + T_DIR_OFF] = ts.dir < 0 ? 0 : offOf(ts.dir);
  f64[w + T_DIR_BIRTH] = ts.dirBirth;
  f64[w + T_ROWS] = ts.rows;
  f64[w + T_CHANGED] = version;
  f64[w + T_LOC_SEG] = ts.loc < 0 ? -1 : segOf(ts.loc);
  f64[w + T_LOC_OFF] = ts.loc < 0 ? 0 : offOf(ts.loc);
  f64[w + T_LOC_BIRTH] = ts.locBirth;
}
