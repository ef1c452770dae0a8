import { tableFromIPC, tableToIPC } from 'apache-arrow';
import * as flatbuffers from 'flatbuffers';
import { describeValue, StateError } from '../errors.js';
import type { Batch, Condition, Effect } from '../store/effects.js';
import type { Key, RowInput, Value } from '../store/values.js';
import { readBatch } from './batch-reader.js';
import { FlatBuilder } from './flat-builder.js';
import {
  ConditionKind,
  Batch as FbBatch,
  Column as FbColumn,
  Effect as FbEffect,
  Value as FbValue,
  MarkerKind,
  Op,
  ValueKind,
} from './generated/mutation_generated.js';

/*
 * A batch as FlatBuffers bytes (src/codec/mutation.fbs): the record the write-ahead log appends
 * and replication sends. Encoding is exact: decoding gives back an equal batch (undefined values,
 * which mean "not given", are left out), and applying either to identical stores gives identical
 * stores.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const OPS: Record<Effect['op'], Op> = {
  insert: Op.Insert,
  upsert: Op.Upsert,
  update: Op.Update,
  updateAt: Op.UpdateAt,
  delete: Op.Delete,
  deleteAt: Op.DeleteAt,
  increment: Op.Increment,
  listAdd: Op.ListAdd,
  listRemove: Op.ListRemove,
  require: Op.Require,
  load: Op.Load,
  setMeta: Op.SetMeta,
};
const OP_NAMES = Object.fromEntries(Object.entries(OPS).map(([name, op]) => [op, name])) as Record<
  Op,
  Effect['op']
>;

/** The kind of each value condition, by the relation it names. */
const CONDITIONS = {
  equals: ConditionKind.Equals,
  notEquals: ConditionKind.NotEquals,
  in: ConditionKind.In,
  lt: ConditionKind.Less,
  lte: ConditionKind.LessOrEqual,
  gt: ConditionKind.Greater,
  gte: ConditionKind.GreaterOrEqual,
} as const;
type Relation = keyof typeof CONDITIONS;
const RELATIONS = Object.keys(CONDITIONS) as Relation[];
const RELATION_NAMES = Object.fromEntries(
  Object.entries(CONDITIONS).map(([name, kind]) => [kind, name]),
) as Partial<Record<ConditionKind, Relation>>;

function invalid(message: string, op?: number): StateError {
  return new StateError('INVALID_BATCH', message, op === undefined ? {} : { op });
}

/*
 * Field numbers of the int64 fields that encodeBatch writes itself (see addInt64Field), in the
 * order of mutation.fbs: the generated add* functions take a bigint, and BigInt() for every
 * integer cost more than the rest of a small batch.
 */
const BATCH_VERSION = 0;
const BATCH_SEQ = 3;
const EFFECT_ROW = 3;
const VALUE_INT = 2;
const TWO_32 = 2 ** 32;

/** A builder and the offsets of the table and column names it holds, written once per batch. */
type Writer = { b: FlatBuilder; names: Map<string, flatbuffers.Offset> };

/**
 * One writer serves every batch: a new Builder (and its first buffer) per batch cost about as
 * much as encoding a small batch. A nested call (a getter in a row that encodes a batch) gets a
 * writer of its own; a buffer grown past MAX_KEPT_BYTES by a big batch is not kept.
 */
const MAX_KEPT_BYTES = 1 << 20;
let idle: Writer | null = null;

function startWriting(): Writer {
  const w = idle ?? { b: new FlatBuilder(1024), names: new Map() };
  idle = null;
  w.b.clear();
  w.names.clear();
  return w;
}

function doneWriting(w: Writer): void {
  if (w.b.dataBuffer().capacity() <= MAX_KEPT_BYTES) idle = w;
}

/**
 * Adds int64 field `field` of the table being built from a safe integer, as its two 32-bit halves
 * (little-endian, two's complement: what the generated code writes for BigInt(v)).
 */
function addInt64Field(b: flatbuffers.Builder, field: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  b.prep(8, 0);
  // The builder writes backwards: the high half goes above the low one.
  b.writeInt32(high);
  b.writeInt32(v - high * TWO_32);
  b.slot(field);
}

/** Strings up to this length that are all ASCII skip TextEncoder, whose result is a new array. */
const SHORT_STRING = 128;

/** Like Builder.createString, with a fast path for short ASCII strings (their bytes are their char codes). */
function writeString(b: FlatBuilder, s: string): flatbuffers.Offset {
  const n = s.length;
  if (n > SHORT_STRING) return b.createString(s);
  for (let k = 0; k < n; k++) if (s.charCodeAt(k) >= 0x80) return b.createString(s);
  return b.writeAscii(s);
}

/**
 * A table or column name, written once per batch (as Builder.createSharedString does, including
 * its 0, "absent", for the empty string).
 */
function writeName(w: Writer, s: string): flatbuffers.Offset {
  if (!s) return 0;
  let offset = w.names.get(s);
  if (offset === undefined) {
    offset = writeString(w.b, s);
    w.names.set(s, offset);
  }
  return offset;
}

/** Encodes a batch, with the version it produced (0 for one not applied yet). */
export function encodeBatch(batch: Batch, version = 0): Uint8Array {
  // A copy: the builder's buffer is written over by the next batch (and may be transferred).
  return encodeBatchWith(batch, version, copyBytes);
}

const copyBytes = (bytes: Uint8Array) => bytes.slice();

/**
 * @internal encodeBatch, handing the bytes to `take` while they are still the builder's own (valid
 * only during the call): a caller that copies them somewhere anyway (a client's pooled buffer)
 * saves encodeBatch's copy.
 */
export function encodeBatchWith<T>(batch: Batch, version: number, take: (bytes: Uint8Array) => T): T {
  if (batch === null || typeof batch !== 'object' || !Array.isArray(batch.effects)) {
    throw invalid('a batch is an object with an array of effects');
  }
  const { producer, seq, marker } = batch;
  if (producer !== undefined && typeof producer !== 'string') throw invalid('a batch producer is a string');
  if (seq !== undefined && !(Number.isSafeInteger(seq) && seq >= 0)) {
    throw invalid(`a batch seq is a safe non-negative integer, not ${describeValue(seq)}`);
  }
  if (marker !== undefined && (marker !== 'compaction' || batch.effects.length > 0)) {
    throw invalid(`a batch marker is 'compaction' on a batch without effects, not ${describeValue(marker)}`);
  }
  const w = startWriting();
  try {
    const b = w.b;
    const effects = FbBatch.createEffectsVector(
      b,
      batch.effects.map((e, i) => encodeEffect(w, e, i)),
    );
    const producerOffset = producer === undefined ? 0 : writeString(b, producer);
    FbBatch.startBatch(b);
    if (!Number.isSafeInteger(version)) FbBatch.addVersion(b, BigInt(version));
    else if (version !== 0) addInt64Field(b, BATCH_VERSION, version);
    FbBatch.addEffects(b, effects);
    if (producerOffset !== 0) FbBatch.addProducer(b, producerOffset);
    // seq is optional (= null in the schema): 0 is written too, though it equals the default.
    if (seq !== undefined) addInt64Field(b, BATCH_SEQ, seq);
    if (marker !== undefined) FbBatch.addMarker(b, MarkerKind.Compaction);
    FbBatch.finishBatchBuffer(b, FbBatch.endBatch(b));
    return take(b.asUint8Array());
  } finally {
    doneWriting(w);
  }
}

/*
 * Vtable offsets (4 + 2 × the field's number in mutation.fbs) of the fields that decodeBatch
 * reads itself rather than through the generated accessors: int64 fields, whose accessors make
 * a bigint, and names (table and column names), which a batch holds once and points to from
 * every effect.
 */
const VT_BATCH_VERSION = 4;
const VT_BATCH_SEQ = 10;
const VT_EFFECT_TABLE = 6;
const VT_EFFECT_ROW = 10;
const VT_EFFECT_COLUMN = 14;
const VT_COLUMN_NAME = 4;
const VT_VALUE_INT = 8;

/**
 * What one decodeBatch call reads with: one accessor of each kind, pointed at table after table
 * (the generated accessors make a new object per call without one), and, in a batch of more than
 * one effect, the names read so far by where their bytes are (a batch holds each name once, for
 * every effect that uses it).
 */
class Reader {
  readonly effect = new FbEffect();
  readonly column = new FbColumn();
  readonly value = new FbValue();
  readonly names: Map<number, string> | null;
  constructor(
    readonly bb: flatbuffers.ByteBuffer,
    effects: number,
  ) {
    this.names = effects > 1 ? new Map() : null;
  }
}

/*
 * Table and column names decoded lately, by a 32-bit hash of their bytes. A batch's names are
 * nearly always ones seen before, and the same string each time also makes a quicker property key
 * than a new one. Bounded: names of up to MAX_CACHED_NAME bytes, and the whole cache is dropped
 * when it holds MAX_CACHED_NAMES; two names with one hash take turns (each decodes when the other
 * held the entry).
 */
const MAX_CACHED_NAME = 64;
const MAX_CACHED_NAMES = 1024;
const cachedNames = new Map<number, { bytes: Uint8Array; name: string }>();

/** Decodes bytes made by {@link encodeBatch}. */
export function decodeBatch(bytes: Uint8Array): { version: number; batch: Batch } {
  return readBatch(bytes) ?? decodeWithAccessors(bytes);
}

/**
 * @internal decodeBatch through the generated accessors: what it does with bytes that readBatch
 * leaves to it (damage among them: this decoder's errors are the ones a damaged batch gets).
 */
export function decodeWithAccessors(bytes: Uint8Array): { version: number; batch: Batch } {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (bytes.length < 12 || !FbBatch.bufferHasIdentifier(bb)) {
    throw invalid('not an encoded batch: the bytes do not carry the batch identifier "ACSB"');
  }
  try {
    const root = FbBatch.getRootAsBatch(bb);
    const n = vectorLength(bb, root.effectsLength());
    const r = new Reader(bb, n);
    const effects: Effect[] = [];
    for (let i = 0; i < n; i++) effects.push(decodeEffect(r, root.effects(i, r.effect)!, i));
    const batch: { -readonly [K in keyof Batch]: Batch[K] } = { effects };
    const producer = root.producer();
    if (producer !== null) batch.producer = producer;
    if (bb.__offset(root.bb_pos, VT_BATCH_SEQ) !== 0) {
      const seq = readInt64(bb, root.bb_pos, VT_BATCH_SEQ, true);
      if (seq > Number.MAX_SAFE_INTEGER) throw invalid(`a batch seq above 2^53: ${root.seq()}`);
      batch.seq = seq;
    }
    const marker = root.marker();
    if (marker === MarkerKind.Compaction && effects.length === 0) batch.marker = 'compaction';
    else if (marker !== MarkerKind.None)
      throw invalid(`a batch marker ${marker} on a batch of ${effects.length} effects`);
    return { version: readInt64(bb, root.bb_pos, VT_BATCH_VERSION, true, 0), batch };
  } catch (err) {
    if (err instanceof StateError) throw err;
    // FlatBuffers reads whatever the bytes say; damage shows up as reads out of range.
    throw invalid(`a damaged batch: ${(err as Error).message}`);
  }
}

/**
 * `n`, the length of a vector of offsets (4 bytes each), if the bytes can hold it: a damaged length
 * would otherwise have the loops over it read zeros past the end, as empty values, until the array
 * of them outgrew what V8 allows and ended the process.
 */
function vectorLength(bb: flatbuffers.ByteBuffer, n: number): number {
  if (n * 4 > bb.capacity())
    throw invalid(`a damaged batch: a vector of ${n} entries in ${bb.capacity()} bytes`);
  return n;
}

/**
 * The int64 field at vtable offset `vt` of the table at `pos` as a number, without a bigint: the
 * nearest double, as Number() of the generated accessor's bigint gives (high × 2^32 is exact, so
 * adding the low half rounds once). `absent` when the field is not there (its default).
 */
function readInt64(
  bb: flatbuffers.ByteBuffer,
  pos: number,
  vt: number,
  unsigned: boolean,
  absent = 0,
): number {
  const o = bb.__offset(pos, vt);
  if (o === 0) return absent;
  const high = unsigned ? bb.readUint32(pos + o + 4) : bb.readInt32(pos + o + 4);
  return high * TWO_32 + bb.readUint32(pos + o);
}

/** The name (a string) at vtable offset `vt` of the table at `pos`, or null. */
function readName(r: Reader, pos: number, vt: number): string | null {
  const bb = r.bb;
  const o = bb.__offset(pos, vt);
  if (o === 0) return null;
  if (r.names === null) return cachedName(bb, pos + o);
  const at = bb.__indirect(pos + o);
  let name = r.names.get(at);
  if (name === undefined) {
    name = cachedName(bb, pos + o);
    r.names.set(at, name);
  }
  return name;
}

/** The string whose offset is at `offset`, from the names of earlier batches where it is one. */
function cachedName(bb: flatbuffers.ByteBuffer, offset: number): string {
  const start = bb.__indirect(offset) + 4;
  const n = bb.readInt32(start - 4);
  if (n > MAX_CACHED_NAME) return bb.__string(offset) as string;
  const bytes = bb.bytes();
  let h = 0x811c9dc5;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ bytes[start + k]!, 0x01000193); // FNV-1a
  const known = cachedNames.get(h);
  if (known !== undefined && known.bytes.length === n && sameBytes(known.bytes, bytes, start))
    return known.name;
  // Decoded as the generated accessors decode (TextDecoder: ill-formed bytes become U+FFFD).
  const name = bb.__string(offset) as string;
  if (cachedNames.size >= MAX_CACHED_NAMES) cachedNames.clear();
  cachedNames.set(h, { bytes: bytes.slice(start, start + n), name });
  return name;
}

/** Whether `bytes` from `start` begin with `known`. */
function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number): boolean {
  for (let k = 0; k < known.length; k++) if (known[k] !== bytes[start + k]) return false;
  return true;
}

function encodeEffect(w: Writer, e: Effect, i: number): flatbuffers.Offset {
  const b = w.b;
  const op = OPS[e?.op];
  if (op === undefined) throw invalid(`effect ${i} has no known op: ${describeValue(e?.op)}`, i);
  if (e.op === 'setMeta') return encodeMeta(w, e.key, e.value, op, i);
  // Children first: FlatBuffers builds a table only after everything it points to.
  const table = writeName(w, e.table);
  const key = 'key' in e ? encodeValue(w, e.key, i) : 0;
  const input = e.op === 'insert' || e.op === 'upsert' ? e.row : 'values' in e ? e.values : null;
  const columns = input === null ? 0 : FbEffect.createColumnsVector(b, encodeColumns(w, input, i));
  let column = 0;
  let amount = 0;
  let item = 0;
  let condition = ConditionKind.None;
  let values = 0;
  let data = 0;
  if (e.op === 'load') {
    data = FbEffect.createDataVector(b, tableToIPC(e.rows, 'stream'));
  } else if (e.op === 'increment') {
    column = writeName(w, e.column);
    amount = encodeValue(w, e.by, i);
  } else if (e.op === 'listAdd' || e.op === 'listRemove') {
    column = writeName(w, e.column);
    item = writeString(b, e.value);
  } else if (e.op === 'require') {
    const c = e.condition;
    if ('exists' in c) {
      condition = c.exists ? ConditionKind.Exists : ConditionKind.NotExists;
    } else {
      const named = RELATIONS.filter((r) => r in c);
      if (named.length !== 1 || typeof c.column !== 'string') {
        throw invalid(`effect ${i} (require) names no column or not exactly one relation`, i);
      }
      const relation = named[0]!;
      const wanted = (c as unknown as Record<Relation, unknown>)[relation];
      if (relation === 'in' && !Array.isArray(wanted))
        throw invalid(`effect ${i} (require) in takes a list`, i);
      column = writeName(w, c.column);
      condition = CONDITIONS[relation];
      values = FbEffect.createValuesVector(
        b,
        (relation === 'in' ? (wanted as unknown[]) : [wanted]).map((v) => encodeValue(w, v, i)),
      );
    }
  }
  FbEffect.startEffect(b);
  FbEffect.addOp(b, op);
  FbEffect.addTable(b, table);
  if (key !== 0) FbEffect.addKey(b, key);
  if (e.op === 'updateAt' || e.op === 'deleteAt') {
    // -1, the schema's default, is left out (as the generated addRow does).
    if (!Number.isSafeInteger(e.row)) FbEffect.addRow(b, BigInt(e.row));
    else if (e.row !== -1) addInt64Field(b, EFFECT_ROW, e.row);
  }
  if (columns !== 0) FbEffect.addColumns(b, columns);
  if (column !== 0) FbEffect.addColumn(b, column);
  if (amount !== 0) FbEffect.addAmount(b, amount);
  if (item !== 0) FbEffect.addItem(b, item);
  if (condition !== ConditionKind.None) FbEffect.addCondition(b, condition);
  if (values !== 0) FbEffect.addValues(b, values);
  if (data !== 0) FbEffect.addData(b, data);
  return FbEffect.endEffect(b);
}

function encodeMeta(w: Writer, key: string, value: unknown, op: Op, i: number): flatbuffers.Offset {
  if (typeof key !== 'string') throw invalid(`effect ${i} (setMeta) has no key`, i);
  const b = w.b;
  const item = writeString(b, key);
  const amount = encodeValue(w, value, i);
  FbEffect.startEffect(b);
  FbEffect.addOp(b, op);
  FbEffect.addItem(b, item);
  FbEffect.addAmount(b, amount);
  return FbEffect.endEffect(b);
}

function encodeColumns(w: Writer, input: RowInput, i: number): flatbuffers.Offset[] {
  const b = w.b;
  const out: flatbuffers.Offset[] = [];
  for (const name in input) {
    const v = input[name];
    if (v === undefined) continue;
    const value = encodeValue(w, v, i);
    const n = writeName(w, name);
    FbColumn.startColumn(b);
    FbColumn.addName(b, n);
    FbColumn.addValue(b, value);
    out.push(FbColumn.endColumn(b));
  }
  return out;
}

function encodeValue(w: Writer, v: unknown, i: number): flatbuffers.Offset {
  const b = w.b;
  let kind: ValueKind;
  let str = 0;
  let strings = 0;
  let fields = 0;
  let int: number | bigint = 0;
  let float = 0;
  let bool = false;
  if (v === null) {
    kind = ValueKind.Null;
  } else if (typeof v === 'boolean') {
    kind = ValueKind.Bool;
    bool = v;
  } else if (typeof v === 'number') {
    // -0, fractions, NaN and infinities keep their exact bits as a double.
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      kind = ValueKind.Int;
      int = v;
    } else {
      kind = ValueKind.Float;
      float = v;
    }
  } else if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw invalid(`effect ${i}: ${v}n does not fit 64 bits`, i);
    kind = ValueKind.BigInt;
    int = v;
  } else if (typeof v === 'string') {
    kind = ValueKind.String;
    str = writeString(b, v);
  } else if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw invalid(`effect ${i}: an invalid Date`, i);
    kind = ValueKind.Timestamp;
    int = v.getTime();
  } else if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'string'))
      throw invalid(`effect ${i}: a list value must hold strings only`, i);
    kind = ValueKind.StringList;
    strings = FbValue.createStringsVector(
      b,
      v.map((x) => writeString(b, x)),
    );
  } else if (typeof v === 'object') {
    kind = ValueKind.Struct;
    fields = FbValue.createFieldsVector(b, encodeColumns(w, v as RowInput, i));
  } else {
    throw invalid(`effect ${i}: ${describeValue(v)} is not a value a column can hold`, i);
  }
  FbValue.startValue(b);
  FbValue.addKind(b, kind);
  if (bool) FbValue.addBoolValue(b, true);
  if (typeof int === 'bigint') {
    if (int !== 0n) FbValue.addIntValue(b, int);
  } else if (int !== 0) {
    addInt64Field(b, VALUE_INT, int);
  }
  if (kind === ValueKind.Float) {
    // The builder leaves out a field equal to its default, and -0 == 0: force it in.
    b.forceDefaults(true);
    FbValue.addFloatValue(b, float);
    b.forceDefaults(false);
  }
  if (str !== 0) FbValue.addStringValue(b, str);
  if (strings !== 0) FbValue.addStrings(b, strings);
  if (fields !== 0) FbValue.addFields(b, fields);
  return FbValue.endValue(b);
}

function decodeEffect(r: Reader, e: FbEffect, i: number): Effect {
  const op = OP_NAMES[e.op()];
  if (op === 'setMeta') {
    const key = e.item();
    const amount = e.amount(r.value);
    const value = amount === null ? null : decodeValue(r, amount);
    if (key === null || (value !== null && typeof value !== 'string' && typeof value !== 'number')) {
      throw invalid(`effect ${i} (setMeta) is damaged: no key, or a value that is not a string or number`, i);
    }
    return { op, key, value };
  }
  const table = readName(r, e.bb_pos, VT_EFFECT_TABLE);
  if (op === undefined || table === null) throw invalid(`effect ${i} is damaged: no op or no table`, i);
  switch (op) {
    case 'insert':
    case 'upsert':
      return { op, table, row: decodeColumns(r, e) };
    case 'update':
      return { op, table, key: decodeKey(r, e, op, i), values: decodeColumns(r, e) };
    case 'updateAt':
      return { op, table, row: decodeRow(r, e), values: decodeColumns(r, e) };
    case 'delete':
      return { op, table, key: decodeKey(r, e, op, i) };
    case 'deleteAt':
      return { op, table, row: decodeRow(r, e) };
    case 'increment': {
      const key = decodeKey(r, e, op, i);
      const by = decodeValue(r, e.amount(r.value)!);
      if (typeof by !== 'number' && typeof by !== 'bigint')
        throw invalid(`effect ${i} (increment) has no amount`, i);
      return { op, table, key, column: decodeColumn(r, e, op, i), by };
    }
    case 'listAdd':
    case 'listRemove':
      return {
        op,
        table,
        key: decodeKey(r, e, op, i),
        column: decodeColumn(r, e, op, i),
        value: e.item() ?? '',
      };
    case 'require':
      return { op, table, key: decodeKey(r, e, op, i), condition: decodeCondition(r, e, i) };
    case 'load': {
      const data = e.dataArray();
      if (data === null) throw invalid(`effect ${i} (load) has no rows`, i);
      return { op, table, rows: tableFromIPC(data) };
    }
  }
}

function decodeKey(r: Reader, e: FbEffect, op: Effect['op'], i: number): Key {
  const k = e.key(r.value);
  const v = k === null ? null : decodeValue(r, k);
  if (typeof v !== 'number' && typeof v !== 'string') throw invalid(`effect ${i} (${op}) has no key`, i);
  return v;
}

function decodeColumn(r: Reader, e: FbEffect, op: Effect['op'], i: number): string {
  const c = readName(r, e.bb_pos, VT_EFFECT_COLUMN);
  if (c === null) throw invalid(`effect ${i} (${op}) names no column`, i);
  return c;
}

function decodeRow(r: Reader, e: FbEffect): number {
  return readInt64(r.bb, e.bb_pos, VT_EFFECT_ROW, false, -1);
}

function decodeColumns(r: Reader, e: FbEffect): RowInput {
  const out: RowInput = {};
  const c = r.column;
  const n = vectorLength(r.bb, e.columnsLength());
  for (let k = 0; k < n; k++) {
    e.columns(k, c);
    // (A column without a name comes out as "null", as it always has.)
    const name = readName(r, c.bb_pos, VT_COLUMN_NAME) as string;
    out[name] = decodeValue(r, c.value(r.value)!) as RowInput[string];
  }
  return out;
}

function decodeCondition(r: Reader, e: FbEffect, i: number): Condition {
  const kind = e.condition();
  if (kind === ConditionKind.Exists) return { exists: true };
  if (kind === ConditionKind.NotExists) return { exists: false };
  const relation = RELATION_NAMES[kind];
  if (relation === undefined) throw invalid(`effect ${i} (require) has no condition`, i);
  if (relation === 'in') {
    const values: Value[] = [];
    const n = vectorLength(r.bb, e.valuesLength());
    for (let k = 0; k < n; k++) values.push(decodeValue(r, e.values(k, r.value)!));
    return { column: decodeColumn(r, e, 'require', i), in: values };
  }
  const value = e.values(0, r.value);
  if (value === null) throw invalid(`effect ${i} (require) has no value to compare`, i);
  // One object type for the six relations of one value; which one the kind said.
  return { column: decodeColumn(r, e, 'require', i), [relation]: decodeValue(r, value) } as Condition;
}

/** The value `v` points at. `v` may be the reader's shared accessor: a struct's fields get their own. */
function decodeValue(r: Reader, v: FbValue): Value {
  switch (v.kind()) {
    case ValueKind.Null:
      return null;
    case ValueKind.Bool:
      return v.boolValue();
    case ValueKind.Int:
    case ValueKind.Timestamp:
      return readInt64(r.bb, v.bb_pos, VT_VALUE_INT, false);
    case ValueKind.BigInt:
      return v.intValue();
    case ValueKind.Float:
      return v.floatValue();
    case ValueKind.String:
      return v.stringValue() ?? '';
    case ValueKind.StringList: {
      const out: string[] = [];
      const n = vectorLength(r.bb, v.stringsLength());
      for (let k = 0; k < n; k++) out.push(v.strings(k)!);
      return out;
    }
    case ValueKind.Struct: {
      const out: Record<string, Value> = {};
      const f = new FbColumn();
      const n = vectorLength(r.bb, v.fieldsLength());
      for (let k = 0; k < n; k++) {
        v.fields(k, f);
        const name = readName(r, f.bb_pos, VT_COLUMN_NAME) as string;
        out[name] = decodeValue(r, f.value(new FbValue())!);
      }
      return out;
    }
    default:
      throw invalid(`unknown value kind ${v.kind()}`);
  }
}
