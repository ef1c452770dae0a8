import { type ColumnLayout, columnLayout, type TableLayout } from '../store/layout.js';
import type { Store } from '../store/store.js';
import type { Transaction } from '../store/transaction.js';
import { type Cell, toCell } from '../store/values.js';
import type { TxCore, TxTable } from '../store/write/core.js';
import { locate, positionOf } from '../store/write/locator.js';
import { writeUpdate } from '../store/write/rows.js';
import { TWO_32 } from './batch-ops.js';
import { Op, ValueKind } from './generated/mutation_generated.js';

/*
 * A submitted batch of updates applied straight from its FlatBuffers bytes, in the writer worker:
 * decodeBatch would make every key string, values object and dictionary string only for the
 * transaction to hash them back into codes, and that decoding was the whole gap between the worker
 * and applying the same Batch inline (1.24 vs 0.83 µs per update of a clustered batch).
 *
 * The rule that keeps this simple: it gives exactly the state and errors of decodeBatch and
 * store.apply, or gives up. It reads only batches whose every effect is an update, and reads them
 * as the quick reader (batch-reader.ts) does, with the same range checks; anything else (a field
 * that reader would not read, a struct or list value, a name it would order or merge differently,
 * a key not found, any error of the transaction) abandons the attempt: the transaction aborts,
 * which leaves nothing behind, and the caller applies the batch the old way, which gives the
 * canonical result or error. Giving up costs only the time spent.
 *
 * Field offsets are those of mutation.fbs (4 + 2 × the field's number).
 */

/** Thrown inside the transaction to abandon it. */
const BAIL = Symbol('bail');

/**
 * The bytes being read, their length (every read is checked against it), and a DataView of them:
 * one bounds-checked load of an int32 instead of four byte loads; a read out of range throws its
 * RangeError, which abandons the attempt like any other error.
 */
let u8: Uint8Array = new Uint8Array(0);
let size = 0;
const EMPTY = u8;
const EMPTY_VIEW = new DataView(EMPTY.buffer);
let dv = EMPTY_VIEW;

/** Points the reads at `bytes`. */
function read(bytes: Uint8Array): void {
  u8 = bytes;
  size = bytes.length;
  dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Points the reads at nothing (the bytes may be a ring's, reused once the batch is done). */
function done(): void {
  u8 = EMPTY;
  dv = EMPTY_VIEW;
}

/*
 * Tables and columns of the batch being applied, by where their name is: a batch holds each name
 * once (see batch-codec.ts writeName). A handful of slots searched in order; a name past them is
 * looked up each time, which is only slower.
 */
const SLOTS = 8;
const tablePos = new Int32Array(SLOTS);
const tableState: TxTable[] = [];
let tables = 0;
const columnPos = new Int32Array(SLOTS);
const columnTable = new Int32Array(SLOTS);
const columnState: ColumnLayout[] = [];
let columns = 0;

const decoder = new TextDecoder();
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Applies submitted batches of updates from their bytes, in one store's writer thread. */
export class UpdateBytes {
  readonly #store: Store;
  #bailed = false;
  /** Made once: a closure made per batch costs its naming under tsx (see store/apply.ts). */
  readonly #run = (tx: Transaction): void => {
    try {
      applyUpdates(tx.core());
    } catch (err) {
      this.#bailed = true;
      throw err;
    }
  };

  /** For the store whose writer thread this is. */
  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Applies the batch encoded in `bytes` as store.apply(decodeBatch(bytes).batch, { record: false })
   * would, and returns its version; or returns -1, having changed nothing, when the caller must do
   * exactly that instead. An error of the commit itself (after every update was applied) is
   * thrown, as store.apply would throw it.
   */
  apply(bytes: Uint8Array): number {
    read(bytes);
    try {
      if (!updatesOnly()) return -1;
      this.#bailed = false;
      return this.#store.write(this.#run, NO_RECORD);
    } catch (err) {
      if (this.#bailed) return -1;
      throw err;
    } finally {
      done();
    }
  }
}

const NO_RECORD = { record: false } as const;

/**
 * Whether the bytes being read are a batch that the quick reader reads and whose effects are all
 * updates (at least one): its root fields are checked as readBatch checks them, so that a batch it
 * would hand to the other decoder is not taken here.
 */
function updatesOnly(): boolean {
  if (size < 12 || u8[4] !== 65 || u8[5] !== 67 || u8[6] !== 83 || u8[7] !== 66) return false;
  try {
    const root = i32(0);
    const e = field(root, 6);
    if (e === 0) return false;
    const vec = vector(e);
    const n = i32(vec);
    if (n === 0) return false;
    for (let i = 0; i < n; i++) if (ubyte(table(vec + 4 + i * 4), 4) !== Op.Update) return false;
    const producer = field(root, 8);
    if (producer !== 0) stringAt(producer);
    const seq = field(root, 10);
    if (seq !== 0 && int64(seq, true) > Number.MAX_SAFE_INTEGER) return false;
    if (ubyte(root, 12) !== 0) return false;
    const version = field(root, 4);
    if (version !== 0) int64(version, true);
    return true;
  } catch (err) {
    if (err === BAIL || err instanceof RangeError) return false;
    throw err;
  }
}

/** Applies every update of the batch being read (checked by updatesOnly) in `tx`; throws to abandon it. */
function applyUpdates(tx: TxCore): void {
  // Recording would need the effects as objects: the writer worker never records (the feed keeps
  // the submitted bytes), so this is only a guard.
  if (tx.effects !== null) throw BAIL;
  tables = 0;
  columns = 0;
  const vec = vector(field(i32(0), 6));
  const n = i32(vec);
  for (let i = 0; i < n; i++) applyUpdate(tx, table(vec + 4 + i * 4));
}

/** Applies one update effect (the table at `e`), as Transaction.update does. */
function applyUpdate(tx: TxCore, e: number): void {
  const t = field(e, 6);
  if (t === 0) throw BAIL;
  const ts = tableOf(tx, t);
  tx.guard();
  const pos = rowOf(tx, ts, e);
  const layout = ts.layout;
  const op = tx.ops++;
  const cols = tx.cols;
  const cells = tx.cells;
  let n = 0;
  const at = field(e, 12);
  if (at !== 0) {
    const vec = vector(at);
    const m = i32(vec);
    for (let k = 0; k < m; k++) {
      const c = table(vec + 4 + k * 4);
      const name = field(c, 4);
      const value = field(c, 6);
      if (name === 0 || value === 0) throw BAIL;
      const col = columnOf(layout, name);
      // A name given twice is one key of the values object, holding the last value: the first
      // must not be written (nor its string interned).
      for (let j = 0; j < n; j++) if (cols[j] === col) throw BAIL;
      cols[n] = col;
      cells[n++] = cellOf(tx, layout, col, table(value), pos, op);
    }
  }
  writeUpdate(tx, ts, pos, n, op);
}

/** The transaction's state of the table whose name the offset at `o` points to. */
function tableOf(tx: TxCore, o: number): TxTable {
  const at = table(o);
  for (let k = 0; k < tables; k++) if (tablePos[k] === at) return tableState[k]!;
  const ts = tx.table(stringAt(o)); // UNKNOWN_TABLE abandons
  if (tables < SLOTS) {
    tablePos[tables] = at;
    tableState[tables++] = ts;
  }
  return ts;
}

/** The column of table `t` that the name at offset `o` names, where an update writes it as given. */
function columnOf(t: TableLayout, o: number): ColumnLayout {
  const at = table(o);
  for (let k = 0; k < columns; k++)
    if (columnPos[k] === at && columnTable[k] === t.index) return columnState[k]!;
  const name = stringAt(o);
  // The values object of decodeBatch puts integer-like names first (its order is the order new
  // strings are interned in) and does not own a "__proto__" key; a struct's value is an object
  // of its own: all left to the old path, as are the errors of an unknown column or the key.
  const c = name.charCodeAt(0);
  if ((c >= 48 && c <= 57) || name === '__proto__' || t.structs.has(name)) throw BAIL;
  const col = columnLayout(t, name);
  if (col.index === t.key) throw BAIL;
  if (columns < SLOTS) {
    columnPos[columns] = at;
    columnTable[columns] = t.index;
    columnState[columns++] = col;
  }
  return col;
}

/** The position of the row whose key the update at `e` gives; abandons when there is none. */
function rowOf(tx: TxCore, ts: TxTable, e: number): number {
  const k = field(e, 8);
  const t = ts.layout;
  if (k === 0 || t.key < 0) throw BAIL;
  const v = table(k);
  const kind = ubyte(v, 4);
  const domain = t.columns[t.key]!.domain;
  let pos: number;
  if (kind === ValueKind.String && domain >= 0) {
    const s = field(v, 12);
    const start = s === 0 ? 0 : stringStart(s);
    const end = s === 0 ? 0 : start + i32(start - 4);
    if (ascii(start, end)) {
      const code = tx.domain(domain).lookupBytes(tx.arena, u8, start, end);
      pos = code < 0 ? -1 : locate(tx, ts, code);
    } else {
      pos = positionOf(tx, ts, text(start, end));
    }
  } else if ((kind === ValueKind.Int || kind === ValueKind.Timestamp) && domain < 0) {
    const i = field(v, 8);
    pos = positionOf(tx, ts, i === 0 ? 0 : int64(i, false));
  } else {
    throw BAIL;
  }
  if (pos < 0) throw BAIL; // KEY_NOT_FOUND
  return pos;
}

/**
 * The cell that the value at `v` gives column `col`: toCell of the value decodeBatch would read,
 * except that a dictionary string the domain holds becomes its code without being made.
 */
function cellOf(tx: TxCore, t: TableLayout, col: ColumnLayout, v: number, pos: number, op: number): Cell {
  let value: number | boolean | string | null;
  switch (ubyte(v, 4)) {
    case ValueKind.Null:
      value = null;
      break;
    case ValueKind.Bool: {
      const b = field(v, 6);
      value = b !== 0 && u8[b] !== 0;
      break;
    }
    case ValueKind.Int:
    case ValueKind.Timestamp: {
      const i = field(v, 8);
      value = i === 0 ? 0 : int64(i, false);
      break;
    }
    case ValueKind.Float: {
      const f = field(v, 10);
      if (f === 0) {
        value = 0;
        break;
      }
      check(f + 8);
      for (let k = 0; k < 8; k++) f64Bytes[k] = u8[f + k]!;
      value = f64[0]!;
      break;
    }
    case ValueKind.String: {
      const s = field(v, 12);
      if (s === 0) {
        value = '';
        break;
      }
      const start = stringStart(s);
      const end = start + i32(start - 4);
      // An ASCII string is its own UTF-8 and within the length limit when its bytes are.
      if (col.type === 'dictionary' && end - start <= tx.limits.maxStringBytes && ascii(start, end)) {
        const code = tx.domain(col.domain).lookupBytes(tx.arena, u8, start, end);
        if (code >= 0) {
          if (code > col.max) throw BAIL; // OUT_OF_RANGE, with the string in its message
          return code;
        }
      }
      // A new string is interned by the transaction, as from a decoded batch.
      value = text(start, end);
      break;
    }
    default:
      // A list, a struct, a bigint or a kind this version does not know.
      throw BAIL;
  }
  return toCell(t, col, value, tx.site(-1, pos, op), tx.limits.maxStringBytes);
}

// --- reading the bytes, checked as batch-reader.ts checks them ------------------------------------

/** Bails out unless `end` (one past the last byte to read) is within the bytes. */
function check(end: number): void {
  if (end > size) throw BAIL;
}

/** The little-endian int32 at `o` (checked: a RangeError out of the bytes). */
function i32(o: number): number {
  return dv.getInt32(o, true);
}

/** The table that the offset at `o` points to. */
function table(o: number): number {
  return o + i32(o);
}

/** Where field `vt` (a vtable offset) of the table at `pos` is, or 0 when it is absent. */
function field(pos: number, vt: number): number {
  const vtable = pos - i32(pos);
  if (vtable < 0 || vtable + 4 > size) throw BAIL;
  if (vt >= dv.getInt16(vtable, true)) return 0;
  const o = dv.getInt16(vtable + vt, true);
  if (o === 0) return 0;
  const at = pos + o;
  if (at < 0 || at >= size) throw BAIL;
  return at;
}

/** The ubyte field `vt` of the table at `pos` (0, the default, when absent). */
function ubyte(pos: number, vt: number): number {
  const o = field(pos, vt);
  return o === 0 ? 0 : u8[o]!;
}

/** The vector (of offsets) whose offset is at `o`: where its length is, all of it checked in range. */
function vector(o: number): number {
  const v = table(o);
  const n = i32(v);
  if (n < 0 || v + 4 + n * 4 > size) throw BAIL;
  return v;
}

/** The int64 field at `o` as a number, as batch-reader.ts reads it. */
function int64(o: number, unsigned: boolean): number {
  const low = i32(o) >>> 0;
  const high = unsigned ? i32(o + 4) >>> 0 : i32(o + 4);
  return high * TWO_32 + low;
}

/** Where the bytes of the string that the offset at `o` points to start (its length before them). */
function stringStart(o: number): number {
  const s = table(o);
  const n = i32(s);
  if (n < 0 || s + 4 + n > size) throw BAIL;
  return s + 4;
}

/** The string that the offset at `o` points to. */
function stringAt(o: number): string {
  const start = stringStart(o);
  return text(start, start + i32(start - 4));
}

/** Whether the bytes `[start, end)` are all ASCII. */
function ascii(start: number, end: number): boolean {
  let high = 0;
  for (let k = start; k < end; k++) high |= u8[k]!;
  return high < 0x80;
}

/**
 * Buffer's latin1Slice, as batch-reader.ts uses it for ASCII (TextDecoder where a Node lacks it);
 * the string is what TextDecoder makes of the bytes either way.
 */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

/** The bytes `[start, end)` as a string, decoded as batch-reader.ts decodes them. */
function text(start: number, end: number): string {
  if (typeof latin1Slice === 'function' && ascii(start, end)) return latin1Slice.call(u8, start, end);
  return decoder.decode(u8.subarray(start, end));
}
