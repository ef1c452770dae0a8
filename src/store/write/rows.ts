import { describeValue, StateError } from '../../errors.js';
import { MAX_CODES } from '../domain.js';
import {
  type ColumnLayout,
  columnLayout,
  E_DATA_END,
  E_OFF,
  E_SEG,
  fieldLayout,
  GROUP_ENTRY,
  GROUP_HEADER,
  MAX_KEY,
  offOf,
  type TableLayout,
} from '../layout.js';
import { type Cell, copyCell, type Key, type RowInput, toCell, type Value } from '../values.js';
import { readVarCell, writeCell } from './cells.js';
import type { TxCore, TxTable } from './core.js';
import { chunkForWrite, chunkOf, dropGroup, groupForWrite, groupRef, newGroup } from './directory.js';
import { keyAt, locate, setKey } from './locator.js';

/*
 * Row operations inside a transaction: checks first (bad input changes nothing), then the changes
 * between tx.begin() and tx.end().
 */

/** Inserts one row. Every non-null column must be given; the key must be new. */
export function insertRow(tx: TxCore, ts: TxTable, row: RowInput): void {
  const t = ts.layout;
  const op = tx.ops++;
  const cells = tx.cells;
  checkNames(t, row, op);
  for (let c = 0; c < t.columns.length; c++) {
    const col = t.columns[c]!;
    const value =
      col.parent === null
        ? row[col.name]
        : (row[col.parent] as Record<string, unknown> | undefined)?.[col.leaf];
    cells[c] = toCell(t, col, value, tx.site(-1, -1, op), tx.limits.maxStringBytes);
  }
  let key = -1;
  if (t.key >= 0) {
    const given = cells[t.key] as Key;
    key =
      typeof given === 'string'
        ? tx.domain(t.columns[t.key]!.domain).lookup(tx.arena, given)
        : checkKey(t, given, op);
    if (key >= 0 && locate(tx, ts, key) >= 0) {
      throw new StateError('DUPLICATE_KEY', `${t.name} already has a row with key ${describeValue(given)}`, {
        table: t.name,
        key: given,
        op,
      });
    }
  }
  checkCodes(tx, t, t.columns, cells, t.columns.length, op);
  tx.begin();
  for (let c = 0; c < t.columns.length; c++) {
    const col = t.columns[c]!;
    if (col.domain >= 0 && cells[c] !== null) cells[c] = codes(tx, t, col, cells[c]!, op);
  }
  if (t.key >= 0) key = cells[t.key] as number;
  ts.dirty = true;
  const pos = ts.rows;
  const i = pos & ts.layout.groupMask;
  const g = pos >>> ts.layout.groupShift;
  const gRef = i === 0 ? newGroup(tx, ts) : groupForWrite(tx, ts, g);
  for (let c = 0; c < t.columns.length; c++) writeCell(tx, gRef, t.columns[c]!, i, cells[c]!, i);
  tx.views(gRef).f64[offOf(gRef) >> 3] = i + 1;
  ts.rows = pos + 1;
  if (key >= 0) setKey(tx, ts, key, pos);
  tx.end();
}

/** Updates some columns of row `pos` (key `key`, or -1 when addressed by position). */
export function updateRow(tx: TxCore, ts: TxTable, key: Key, pos: number, values: RowInput): void {
  const t = ts.layout;
  const op = tx.ops++;
  const cols = tx.cols;
  const cells = tx.cells;
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
        const col = fieldLayout(t, name, field);
        cols[n] = col;
        cells[n++] = toCell(t, col, v, tx.site(key, pos, op), tx.limits.maxStringBytes);
      }
      continue;
    }
    const col = columnLayout(t, name);
    if (col.index === t.key) {
      throw new StateError('KEY_UPDATE', `${t.name}.${name} is the primary key; delete and insert instead`, {
        table: t.name,
        column: name,
        row: pos,
        op,
      });
    }
    cols[n] = col;
    cells[n++] = toCell(t, col, value, tx.site(key, pos, op), tx.limits.maxStringBytes);
  }
  writeUpdate(tx, ts, pos, n, op);
}

/**
 * The changes of an update whose `n` checked cells (toCell's) are in `tx.cells`, their columns in
 * `tx.cols`, none of them the key: row `pos` of operation `op` gets them. A dictionary cell may be
 * its string or already its code (at most `col.max`): the writer's byte-level apply finds codes
 * without making the strings. `updateRow` fills the cells from a values object; both end here.
 */
export function writeUpdate(tx: TxCore, ts: TxTable, pos: number, n: number, op: number): void {
  if (n === 0) return;
  const t = ts.layout;
  const cols = tx.cols;
  const cells = tx.cells;
  checkCodes(tx, t, cols, cells, n, op);
  tx.begin();
  for (let k = 0; k < n; k++) {
    const col = cols[k]!;
    if (col.domain >= 0 && cells[k] !== null) cells[k] = codes(tx, t, col, cells[k]!, op);
  }
  ts.dirty = true;
  for (let k = 0; k < n; k++) if (cols[k]!.domain >= 0) tx.released[cols[k]!.domain]!++;
  const i = pos & ts.layout.groupMask;
  const gRef = groupForWrite(tx, ts, pos >>> ts.layout.groupShift);
  const count = tx.views(gRef).f64[offOf(gRef) >> 3]!;
  for (let k = 0; k < n; k++) writeCell(tx, gRef, cols[k]!, i, cells[k]!, count);
  tx.end();
}

/** Deletes row `pos`; the table's last row moves into its place. */
export function deleteRow(tx: TxCore, ts: TxTable, pos: number): void {
  tx.begin();
  const t = ts.layout;
  const { groupShift, groupMask } = ts.layout;
  ts.dirty = true;
  for (const col of t.columns) if (col.domain >= 0) tx.released[col.domain]!++;
  const last = ts.rows - 1;
  const li = last & groupMask;
  const lg = last >>> groupShift;
  if (t.key >= 0) setKey(tx, ts, keyAt(tx, ts, pos), -1);
  if (pos !== last) {
    // Keep row groups dense: the table's last row fills the hole.
    const i = pos & groupMask;
    const gRef = groupForWrite(tx, ts, pos >>> groupShift);
    const srcRef = groupRef(tx, ts, lg);
    const count = tx.views(gRef).f64[offOf(gRef) >> 3]!;
    for (let c = 0; c < t.columns.length; c++) {
      const col = t.columns[c]!;
      if (col.kind !== 'fixed') {
        // Variable-length values are re-read and rewritten: their offsets differ between rows.
        writeCell(tx, gRef, col, i, readVarCell(tx, srcRef, col, li), count);
        continue;
      }
      const dst = chunkForWrite(tx, gRef, col, i);
      const src = chunkOf(tx, srcRef, col);
      copyCell(tx.views(src), offOf(src), li, tx.views(dst), offOf(dst), i, col);
    }
    if (t.key >= 0) setKey(tx, ts, keyAt(tx, ts, pos), pos);
  }
  if (li === 0) {
    dropGroup(tx, ts, lg);
  } else {
    const gRef = groupForWrite(tx, ts, lg);
    const f64 = tx.views(gRef).f64;
    const b = offOf(gRef) >> 3;
    f64[b] = li;
    // The last group lost its last row: its var-length columns' data now ends at offsets[li].
    for (const col of t.columns) {
      if (col.kind === 'fixed') continue;
      const e = b + GROUP_HEADER + col.index * GROUP_ENTRY;
      f64[e + E_DATA_END] = tx.arena.get(f64[e + E_SEG]!).i32[
        ((f64[e + E_OFF]! + col.validityBytes) >> 2) + li
      ]!;
    }
  }
  ts.rows = last;
  tx.end();
}

/**
 * Fails an operation before it changes anything if a string it writes would need a code wider
 * than its column holds: new strings get codes past the domain's length, in order. A dictionary
 * cell whose string the domain holds already becomes its code here, so it is not looked up twice.
 */
function checkCodes(
  tx: TxCore,
  t: TableLayout,
  cols: readonly ColumnLayout[],
  cells: Cell[],
  n: number,
  op: number,
): void {
  let fresh: Map<number, Set<string>> | null = null;
  for (let k = 0; k < n; k++) {
    const col = cols[k]!;
    const cell = cells[k];
    // 32-bit code columns hold any code a domain can have; a code given is checked already.
    if (col.domain < 0 || cell === null || col.max >= MAX_CODES || typeof cell === 'number') continue;
    const d = tx.domain(col.domain);
    if (typeof cell === 'string') {
      const code = d.lookup(tx.arena, cell);
      if (code >= 0) {
        if (code > col.max) throw codesExhausted(t, col, d.layout.name, code, cell, op);
        cells[k] = code;
        continue;
      }
    }
    for (const s of typeof cell === 'string' ? [cell] : (cell as readonly string[])) {
      let code = d.lookup(tx.arena, s);
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
      if (code > col.max) throw codesExhausted(t, col, d.layout.name, code, s, op);
    }
  }
}

export function codesExhausted(
  t: TableLayout,
  col: ColumnLayout,
  domain: string,
  code: number,
  s: string,
  op: number,
): StateError {
  return new StateError(
    'OUT_OF_RANGE',
    `${t.name}.${col.name}: domain ${domain} would hold ${code + 1} strings, more than the column's ${col.shift * 8 + 8}-bit codes can name (value ${describeValue(s)})`,
    { table: t.name, column: col.name, value: s, op },
  );
}

/** A dictionary cell's code, or a list cell's codes, interning new strings. */
function codes(tx: TxCore, t: TableLayout, col: ColumnLayout, cell: Cell, op: number): Cell {
  if (col.kind !== 'list') return typeof cell === 'number' ? cell : intern(tx, t, col, cell as string, op);
  const items = cell as readonly string[];
  const out = new Array<number>(items.length);
  for (let k = 0; k < items.length; k++) out[k] = intern(tx, t, col, items[k]!, op);
  return out;
}

/** The code of `s` in the domain of dictionary column `col`, interning it if new. */
function intern(tx: TxCore, t: TableLayout, col: ColumnLayout, s: string, op: number): number {
  const d = tx.domain(col.domain);
  const code = d.intern(tx.blockOps(), s);
  if (code > col.max) throw codesExhausted(t, col, d.layout.name, code, s, op);
  return code;
}

/** Checks a row position: ROW_OUT_OF_RANGE unless 0 <= row < the table's rows. */
export function checkRow(ts: TxTable, row: number, op: number): number {
  if (!Number.isInteger(row) || row < 0 || row >= ts.rows) {
    throw new StateError(
      'ROW_OUT_OF_RANGE',
      `${ts.layout.name} has ${ts.rows} rows; row ${String(row)} is not one of them`,
      { table: ts.layout.name, row, op },
    );
  }
  return row;
}

export function checkKey(t: TableLayout, key: number, op: number): number {
  if (key < 0 || key > MAX_KEY) {
    const column = t.columns[t.key]!.name;
    throw new StateError('OUT_OF_RANGE', `${t.name}.${column}: keys are ids in [0, ${MAX_KEY}], got ${key}`, {
      table: t.name,
      column,
      key,
      value: key,
      op,
    });
  }
  return key;
}

/**
 * Refuses a row that is not an object, names a column the table lacks, or gives a struct something
 * other than an object of its fields. Counting is enough when every name is known (the common case): a name
 * is looked up only when the row has more keys than known names.
 */
export function checkNames(t: TableLayout, row: RowInput, op: number): void {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw new StateError(
      'TYPE_MISMATCH',
      `${t.name}: a row is an object of column values, not ${describeValue(row)}`,
      {
        table: t.name,
        op,
      },
    );
  }
  let keys = 0;
  for (const _ in row) keys++;
  let known = 0;
  for (const f of t.fields) {
    const v = row[f.name];
    if (v === undefined) continue;
    known++;
    if (f.struct === null) continue;
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) {
      structValue(t, f.name, v, op);
    }
    let fieldKeys = 0;
    for (const _ in v as object) fieldKeys++;
    let fieldsKnown = 0;
    for (const child of f.columns)
      if ((v as Record<string, unknown>)[child.leaf] !== undefined) fieldsKnown++;
    if (fieldKeys !== fieldsKnown) structValue(t, f.name, v, op);
  }
  if (keys === known) return;
  for (const name in row) {
    if (t.structs.has(name)) structValue(t, name, row[name], op);
    else columnLayout(t, name);
  }
}

/**
 * Checks a struct column's value: undefined (not given), or an object whose keys are its fields.
 * Returns the object.
 */
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
      { table: t.name, column: name, value, op },
    );
  }
  const fields = value as Record<string, unknown>;
  for (const field in fields) fieldLayout(t, name, field);
  return fields;
}

/** The values object that sets stored column `col` to `value` (nested for a struct's field). */
export function nestValue(col: ColumnLayout, value: Value): RowInput {
  return col.parent === null ? { [col.name]: value } : { [col.parent]: { [col.leaf]: value } };
}
