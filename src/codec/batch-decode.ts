import { tableFromIPC } from 'apache-arrow';
import * as flatbuffers from 'flatbuffers';
import { StateError } from '../errors.js';
import type { Batch, Condition, Effect } from '../store/effects.js';
import type { Key, RowInput, Value } from '../store/values.js';
import { invalid, OP_NAMES, RELATION_NAMES, TWO_32 } from './batch-ops.js';
import {
  ConditionKind,
  Batch as FbBatch,
  Column as FbColumn,
  Effect as FbEffect,
  Value as FbValue,
  MarkerKind,
  ValueKind,
} from './generated/mutation_generated.js';

/*
 * decodeBatch through the generated FlatBuffers accessors: the decoder for whatever the quick
 * reader (batch-reader.ts) leaves to it, damaged bytes among them, whose errors are this one's.
 */

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
