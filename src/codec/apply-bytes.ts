import { type ColumnLayout, columnLayout, type TableLayout } from '../store/layout.js';
import type { Store } from '../store/store.js';
import type { Transaction } from '../store/transaction.js';
import { type Cell, toCell } from '../store/values.js';
import type { TxCore, TxTable } from '../store/write/core.js';
import { locate, positionOf } from '../store/write/locator.js';
import { writeUpdate } from '../store/write/rows.js';
import { BAIL, FlatReader, gaveUp } from './flat-reader.js';
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

/** The bytes being read (see flat-reader.ts); a read out of range abandons the attempt. */
const fb = new FlatReader();

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
    fb.start(bytes);
    try {
      if (!updatesOnly()) return -1;
      this.#bailed = false;
      return this.#store.write(this.#run, NO_RECORD);
    } catch (err) {
      if (this.#bailed) return -1;
      throw err;
    } finally {
      fb.done();
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
  if (fb.size < 12 || fb.u8[4] !== 65 || fb.u8[5] !== 67 || fb.u8[6] !== 83 || fb.u8[7] !== 66) return false;
  try {
    const root = fb.i32(0);
    const e = fb.field(root, 6);
    if (e === 0) return false;
    const vec = fb.vector(e);
    const n = fb.i32(vec);
    if (n === 0) return false;
    for (let i = 0; i < n; i++) if (fb.ubyte(fb.table(vec + 4 + i * 4), 4) !== Op.Update) return false;
    const producer = fb.field(root, 8);
    if (producer !== 0) fb.string(producer);
    const seq = fb.field(root, 10);
    if (seq !== 0 && fb.int64(seq, true) > Number.MAX_SAFE_INTEGER) return false;
    if (fb.ubyte(root, 12) !== 0) return false;
    const version = fb.field(root, 4);
    if (version !== 0) fb.int64(version, true);
    return true;
  } catch (err) {
    if (gaveUp(err)) return false;
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
  const vec = fb.vector(fb.field(fb.i32(0), 6));
  const n = fb.i32(vec);
  for (let i = 0; i < n; i++) applyUpdate(tx, fb.table(vec + 4 + i * 4));
}

/** Applies one update effect (the table at `e`), as Transaction.update does. */
function applyUpdate(tx: TxCore, e: number): void {
  const t = fb.field(e, 6);
  if (t === 0) throw BAIL;
  const ts = tableOf(tx, t);
  tx.guard();
  const pos = rowOf(tx, ts, e);
  const layout = ts.layout;
  const op = tx.ops++;
  const cols = tx.cols;
  const cells = tx.cells;
  let n = 0;
  const at = fb.field(e, 12);
  if (at !== 0) {
    const vec = fb.vector(at);
    const m = fb.i32(vec);
    for (let k = 0; k < m; k++) {
      const c = fb.table(vec + 4 + k * 4);
      const name = fb.field(c, 4);
      const value = fb.field(c, 6);
      if (name === 0 || value === 0) throw BAIL;
      const col = columnOf(layout, name);
      // A name given twice is one key of the values object, holding the last value: the first
      // must not be written (nor its string interned).
      for (let j = 0; j < n; j++) if (cols[j] === col) throw BAIL;
      cols[n] = col;
      cells[n++] = cellOf(tx, layout, col, fb.table(value), pos, op);
    }
  }
  writeUpdate(tx, ts, pos, n, op);
}

/** The transaction's state of the table whose name the offset at `o` points to. */
function tableOf(tx: TxCore, o: number): TxTable {
  const at = fb.table(o);
  for (let k = 0; k < tables; k++) if (tablePos[k] === at) return tableState[k]!;
  const ts = tx.table(fb.string(o)); // UNKNOWN_TABLE abandons
  if (tables < SLOTS) {
    tablePos[tables] = at;
    tableState[tables++] = ts;
  }
  return ts;
}

/** The column of table `t` that the name at offset `o` names, where an update writes it as given. */
function columnOf(t: TableLayout, o: number): ColumnLayout {
  const at = fb.table(o);
  for (let k = 0; k < columns; k++)
    if (columnPos[k] === at && columnTable[k] === t.index) return columnState[k]!;
  const name = fb.string(o);
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
  const k = fb.field(e, 8);
  const t = ts.layout;
  if (k === 0 || t.key < 0) throw BAIL;
  const v = fb.table(k);
  const kind = fb.ubyte(v, 4);
  const domain = t.columns[t.key]!.domain;
  let pos: number;
  if (kind === ValueKind.String && domain >= 0) {
    const s = fb.field(v, 12);
    const start = s === 0 ? 0 : fb.stringStart(s);
    const end = s === 0 ? 0 : fb.stringEnd(start);
    if (fb.ascii(start, end)) {
      const code = tx.domain(domain).lookupBytes(tx.arena, fb.u8, start, end);
      pos = code < 0 ? -1 : locate(tx, ts, code);
    } else {
      pos = positionOf(tx, ts, fb.text(start, end));
    }
  } else if ((kind === ValueKind.Int || kind === ValueKind.Timestamp) && domain < 0) {
    const i = fb.field(v, 8);
    pos = positionOf(tx, ts, i === 0 ? 0 : fb.int64(i, false));
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
  switch (fb.ubyte(v, 4)) {
    case ValueKind.Null:
      value = null;
      break;
    case ValueKind.Bool: {
      const b = fb.field(v, 6);
      value = b !== 0 && fb.u8[b] !== 0;
      break;
    }
    case ValueKind.Int:
    case ValueKind.Timestamp: {
      const i = fb.field(v, 8);
      value = i === 0 ? 0 : fb.int64(i, false);
      break;
    }
    case ValueKind.Float: {
      const f = fb.field(v, 10);
      if (f === 0) {
        value = 0;
        break;
      }
      value = fb.f64(f);
      break;
    }
    case ValueKind.String: {
      const s = fb.field(v, 12);
      if (s === 0) {
        value = '';
        break;
      }
      const start = fb.stringStart(s);
      const end = fb.stringEnd(start);
      // An ASCII string is its own UTF-8 and within the length limit when its bytes are.
      if (col.type === 'dictionary' && end - start <= tx.limits.maxStringBytes && fb.ascii(start, end)) {
        const code = tx.domain(col.domain).lookupBytes(tx.arena, fb.u8, start, end);
        if (code >= 0) {
          if (code > col.max) throw BAIL; // OUT_OF_RANGE, with the string in its message
          return code;
        }
      }
      // A new string is interned by the transaction, as from a decoded batch.
      value = fb.text(start, end);
      break;
    }
    default:
      // A list, a struct, a bigint or a kind this version does not know.
      throw BAIL;
  }
  return toCell(t, col, value, tx.site(-1, pos, op), tx.limits.maxStringBytes);
}
