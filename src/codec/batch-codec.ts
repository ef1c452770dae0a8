import { tableToIPC } from 'apache-arrow';
import type * as flatbuffers from 'flatbuffers';
import { describeValue } from '../errors.js';
import type { Batch, Effect } from '../store/effects.js';
import type { RowInput } from '../store/values.js';
import { decodeWithAccessors } from './batch-decode.js';
import { CONDITIONS, invalid, OPS, RELATIONS, type Relation, TWO_32 } from './batch-ops.js';
import { readBatch } from './batch-reader.js';
import { FlatBuilder } from './flat-builder.js';
import {
  ConditionKind,
  Batch as FbBatch,
  Column as FbColumn,
  Effect as FbEffect,
  Value as FbValue,
  MarkerKind,
  type Op,
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

/*
 * Field numbers of the int64 fields that encodeBatch writes itself (see addInt64Field), in the
 * order of mutation.fbs: the generated add* functions take a bigint, and BigInt() for every
 * integer cost more than the rest of a small batch.
 */
const BATCH_VERSION = 0;
const BATCH_SEQ = 3;
const EFFECT_ROW = 3;
const VALUE_INT = 2;

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

/** Decodes bytes made by {@link encodeBatch}. */
export function decodeBatch(bytes: Uint8Array): { version: number; batch: Batch } {
  return readBatch(bytes) ?? decodeWithAccessors(bytes);
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
    data = b.writeBytes(tableToIPC(e.rows, 'stream'));
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
