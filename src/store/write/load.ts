import { type Data, type DataType, RecordBatch, Table, Type } from 'apache-arrow';
import { describeValue, StateError } from '../../errors.js';
import { type ColumnLayout, columnLayout, fieldLayout, MAX_KEY, offOf, type TableLayout } from '../layout.js';
import type { TxCore, TxTable } from './core.js';
import { groupForWrite, newGroup } from './directory.js';
import { type Dictionaries, dictionaryUsers, fillColumn, indexKeys, isValidAt } from './load-fill.js';

/*
 * The bulk loader: appends the rows of Arrow record batches to a table in one transaction, column
 * by column, writing each row group's chunks straight from the batches' buffers. A dictionary
 * column's strings are interned once per distinct value of the batch's dictionary, not once per
 * row. Rows keep their order, so a checkpoint loads back into the same row positions.
 */

/** What `tx.load` takes: an Arrow Table, one record batch, or several. */
export type LoadSource = Table | RecordBatch | readonly RecordBatch[];

/** Where one stored column's values come from in a record batch; null for an absent nullable column. */
export type Sources = (Data | null)[];

const TIMESTAMP_MAX = 8_640_000_000_000_000n;
const INT53_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Appends the rows of `source` to table `ts`; returns how many. */
export function loadRows(tx: TxCore, ts: TxTable, source: LoadSource): number {
  const t = ts.layout;
  const batches = toBatches(t, source);
  // Everything that can be checked before a byte is written is: bad input changes nothing.
  const plans = batches.map((b) => plan(tx, t, b));
  let total = 0;
  for (const b of batches) total += b.numRows;
  if (total === 0) return 0;
  const dicts: Dictionaries = { remaps: new Map(), users: dictionaryUsers(t, plans) };
  tx.begin();
  appendSources(
    tx,
    ts,
    batches.map((b) => b.numRows),
    plans,
    dicts,
  );
  tx.end();
  return total;
}

/**
 * Writes checked sources (`plans[k]` holds `lengths[k]` rows, one Data or null per stored column)
 * after the table's last row, row group by row group, and points the key locator at the new rows.
 * The caller has called tx.begin(): this is the part of a load that changes things.
 */
export function appendSources(
  tx: TxCore,
  ts: TxTable,
  lengths: readonly number[],
  plans: readonly Sources[],
  dicts: Dictionaries,
): void {
  const t = ts.layout;
  ts.dirty = true;
  const { groupMask, groupShift, rowGroupSize } = ts.layout;
  for (let k = 0; k < plans.length; k++) {
    const n = lengths[k]!;
    const sources = plans[k]!;
    for (let from = 0; from < n; ) {
      const pos = ts.rows;
      const at = pos & groupMask;
      const take = Math.min(rowGroupSize - at, n - from);
      const gRef = at === 0 ? newGroup(tx, ts) : groupForWrite(tx, ts, pos >>> groupShift);
      for (let c = 0; c < t.columns.length; c++) {
        fillColumn(tx, t, gRef, t.columns[c]!, at, take, sources[c]!, from, dicts);
      }
      tx.views(gRef).f64[offOf(gRef) >> 3] = at + take;
      ts.rows = pos + take;
      if (t.key >= 0) indexKeys(tx, ts, gRef, at, take, pos);
      from += take;
    }
  }
}

function toBatches(t: TableLayout, source: LoadSource): readonly RecordBatch[] {
  // By shape as well as by class: the caller's apache-arrow may be another copy of the package.
  if (source instanceof Table || isTable(source)) return (source as Table).batches;
  if (source instanceof RecordBatch || isBatch(source)) return [source as RecordBatch];
  if (Array.isArray(source) && source.every((b) => b instanceof RecordBatch || isBatch(b))) return source;
  throw new StateError(
    'TYPE_MISMATCH',
    `load into ${t.name} takes an apache-arrow Table, RecordBatch or array of RecordBatches, not ${describeValue(source)}`,
    { table: t.name },
  );
}

/** `source` as one Table (what a recorded load effect holds). */
export function asTable(t: TableLayout, source: LoadSource): Table {
  if (source instanceof Table || isTable(source)) return source as Table;
  const batches = toBatches(t, source);
  try {
    return new Table(batches as RecordBatch[]);
  } catch (err) {
    throw new StateError(
      'TYPE_MISMATCH',
      `load into ${t.name}: the record batches of one load must share a schema (${(err as Error).message})`,
      { table: t.name },
    );
  }
}

function isTable(x: unknown): boolean {
  return typeof x === 'object' && x !== null && Array.isArray((x as Table).batches) && 'schema' in x;
}

function isBatch(x: unknown): boolean {
  return (
    typeof x === 'object' &&
    x !== null &&
    'schema' in x &&
    'data' in x &&
    typeof (x as RecordBatch).numRows === 'number'
  );
}

/** Matches a batch's fields to the table's stored columns and checks types, nulls and ranges. */
function plan(tx: TxCore, t: TableLayout, batch: RecordBatch): Sources {
  const fields = new Map<string, Data>();
  batch.schema.fields.forEach((f, i) => {
    fields.set(f.name, batch.data.children[i]!);
  });
  for (const name of fields.keys()) {
    if (!t.structs.has(name)) columnLayout(t, name);
  }
  const out: Sources = [];
  for (const col of t.columns) {
    let data: Data | null = fields.get(col.parent ?? col.name) ?? null;
    if (data !== null && col.parent !== null) {
      const parent = data;
      if (parent.typeId !== Type.Struct) throw mismatch(t, col.parent, 'a struct', parent.type);
      if (parent.nullCount > 0) throw nulls(t, col.parent, parent);
      const i = parent.type.children.findIndex((f: { name: string }) => f.name === col.leaf);
      for (const f of parent.type.children as { name: string }[]) fieldLayout(t, col.parent, f.name);
      // apache-arrow slices a struct's children with it: a child lines up with its parent.
      data = i < 0 ? null : parent.children[i]!;
    }
    if (data === null) {
      if (!col.nullable) throw nulls(t, col.name, null);
    } else {
      check(tx, t, col, data);
    }
    out.push(data);
  }
  return out;
}

function mismatch(t: TableLayout, column: string, wanted: string, got: DataType): StateError {
  return new StateError(
    'TYPE_MISMATCH',
    `${t.name}.${column}: load expected ${wanted}, got Arrow ${String(got)}`,
    {
      table: t.name,
      column,
    },
  );
}

function nulls(t: TableLayout, column: string, data: Data | null): StateError {
  const row = data === null ? 0 : firstNull(data);
  return new StateError(
    'NULL_NOT_ALLOWED',
    data === null
      ? `${t.name}.${column} is not nullable, and the loaded batch has no such column`
      : `${t.name}.${column} is not nullable, and row ${row} of the loaded batch is null`,
    { table: t.name, column, row },
  );
}

function firstNull(data: Data): number {
  for (let i = 0; i < data.length; i++) if (!isValidAt(data, i)) return i;
  return -1;
}

/** The Arrow type ids (and widths) that store into each column type. */
const FIXED: Record<string, (type: DataType) => boolean> = {
  bool: (x) => x.typeId === Type.Bool,
  int8: (x) => isInt(x, 8, true),
  int16: (x) => isInt(x, 16, true),
  int32: (x) => isInt(x, 32, true),
  int64: (x) => isInt(x, 64, true),
  uint8: (x) => isInt(x, 8, false),
  uint16: (x) => isInt(x, 16, false),
  uint32: (x) => isInt(x, 32, false),
  float32: (x) => x.typeId === Type.Float && (x as unknown as { precision: number }).precision === 1,
  float64: (x) => x.typeId === Type.Float && (x as unknown as { precision: number }).precision === 2,
  timestamp: (x) => x.typeId === Type.Timestamp && (x as unknown as { unit: number }).unit === 1,
};

function isInt(x: DataType, bits: number, signed: boolean): boolean {
  const i = x as unknown as { bitWidth: number; isSigned: boolean };
  return x.typeId === Type.Int && i.bitWidth === bits && i.isSigned === signed;
}

/** A string column's source: Utf8, or a dictionary of Utf8. */
const isStrings = (x: DataType) =>
  x.typeId === Type.Utf8 ||
  (x.typeId === Type.Dictionary &&
    (x as unknown as { dictionary: DataType }).dictionary.typeId === Type.Utf8);

function check(tx: TxCore, t: TableLayout, col: ColumnLayout, data: Data): void {
  if (!col.nullable && data.nullCount > 0) throw nulls(t, col.name, data);
  const type = data.type;
  if (col.kind === 'list') {
    if (type.typeId !== Type.List || !isStrings(data.children[0]!.type))
      throw mismatch(t, col.name, 'a List of Utf8 or of a Utf8 dictionary', type);
    if (data.children[0]!.nullCount > 0) throw nulls(t, `${col.name} item`, data.children[0]!);
    return;
  }
  if (col.kind === 'utf8' || col.domain >= 0) {
    if (col.kind === 'utf8' ? type.typeId !== Type.Utf8 : !isStrings(type)) {
      throw mismatch(t, col.name, col.kind === 'utf8' ? 'Utf8' : 'Utf8 or a dictionary of Utf8', type);
    }
    if (type.typeId === Type.Utf8) checkLengths(tx, t, col, data);
    return;
  }
  if (!FIXED[col.type]!(type)) throw mismatch(t, col.name, `the Arrow type of ${col.type}`, type);
  if (col.asNumber) {
    // Timestamps, and int64 columns of mode 'number' (whose rows read numbers: safe integers only).
    const max = col.type === 'timestamp' ? TIMESTAMP_MAX : INT53_MAX;
    const unit = col.type === 'timestamp' ? ' ms' : '';
    const v = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      const x = v[i]!;
      if ((x > max || x < -max) && isValidAt(data, i)) {
        throw new StateError(
          'OUT_OF_RANGE',
          `${t.name}.${col.name}: row ${i} of the loaded batch is ${x}${unit}, past ±${max}${unit}`,
          {
            table: t.name,
            column: col.name,
            row: i,
            value: x,
          },
        );
      }
    }
  }
  if (col.index === t.key) {
    const v = data.values as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) {
      if (v[i]! < 0 || v[i]! > MAX_KEY) {
        throw new StateError(
          'OUT_OF_RANGE',
          `${t.name}.${col.name}: keys are ids in [0, ${MAX_KEY}], row ${i} of the loaded batch has ${v[i]}`,
          {
            table: t.name,
            column: col.name,
            row: i,
            value: v[i],
          },
        );
      }
    }
  }
}

function checkLengths(tx: TxCore, t: TableLayout, col: ColumnLayout, data: Data): void {
  const max = tx.limits.maxStringBytes;
  const offsets = data.valueOffsets as Int32Array;
  for (let i = 0; i < data.length; i++) {
    const bytes = offsets[i + 1]! - offsets[i]!;
    if (bytes > max) {
      throw new StateError(
        'STRING_TOO_LONG',
        `${t.name}.${col.name}: row ${i} of the loaded batch is a string of ${bytes} UTF-8 bytes, over the limit of ${max}`,
        {
          table: t.name,
          column: col.name,
          row: i,
        },
      );
    }
  }
}
