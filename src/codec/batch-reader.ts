import type { Batch, Condition, Effect } from '../store/effects.js';
import type { Key, RowInput, Value } from '../store/values.js';
import { OP_NAMES, RELATION_NAMES, TWO_32 } from './batch-ops.js';
import { ValueKind } from './generated/mutation_generated.js';

/*
 * The quick path of decodeBatch: reads the FlatBuffers bytes with plain index arithmetic instead of
 * the generated accessors, builds ASCII strings without TextDecoder, and reads the int64 fields as
 * two 32-bit halves. It gives exactly what the generated-accessor decoder gives, or null for
 * anything it does not read the same way for sure (a read out of range, an unknown op or kind, a
 * bigint, a load, a missing field the other decoder would trip over): decodeBatch then decodes
 * those bytes the old way, which also makes every error message of a damaged batch the one it was.
 * Keeping the two apart costs nothing on a well-formed batch: this path only decides earlier.
 *
 * Field offsets are those of mutation.fbs (4 + 2 × the field's number).
 */

/** Thrown (and caught in readBatch) when the bytes need the other decoder. */
const BAIL = Symbol('bail');

/** The bytes being read, and their length (every read is checked against it). */
let u8: Uint8Array = new Uint8Array(0);
let size = 0;

/*
 * Names (table and column names) of the batch being read, by where their bytes are: a batch holds
 * each name once, for every effect that uses it. A handful of slots searched in order beats a Map
 * for the few names of a batch.
 */
const NAME_SLOTS = 16;
const namePos = new Int32Array(NAME_SLOTS);
const nameStr: string[] = [];
let names = 0;

/*
 * Names of earlier batches, by a hash of their bytes: the same string each time also makes a
 * quicker property key than a new one. Bounded as decodeBatch's cache is.
 */
const MAX_CACHED_NAME = 64;
const MAX_CACHED_NAMES = 1024;
const cachedNames = new Map<number, string>();

const decoder = new TextDecoder();
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** The batch and version encoded in `bytes`, or null when decodeBatch must read them itself. */
export function readBatch(bytes: Uint8Array): { version: number; batch: Batch } | null {
  if (bytes.length < 12 || bytes[4] !== 65 || bytes[5] !== 67 || bytes[6] !== 83 || bytes[7] !== 66) {
    return null; // not "ACSB": decodeBatch says so
  }
  u8 = bytes;
  size = bytes.length;
  names = 0;
  try {
    const root = i32(0);
    const e = field(root, 6);
    const vec = e === 0 ? 0 : vector(e);
    const n = e === 0 ? 0 : i32(vec);
    const effects: Effect[] = new Array(n);
    for (let i = 0; i < n; i++) effects[i] = readEffect(table(vec + 4 + i * 4));
    const batch: { -readonly [K in keyof Batch]: Batch[K] } = { effects };
    const producer = field(root, 8);
    if (producer !== 0) batch.producer = readString(producer);
    const seq = field(root, 10);
    if (seq !== 0) {
      const v = int64(seq, true);
      if (v > Number.MAX_SAFE_INTEGER) return null;
      batch.seq = v;
    }
    const marker = ubyte(root, 12);
    if (marker === 1 && n === 0) batch.marker = 'compaction';
    else if (marker !== 0) return null;
    const version = field(root, 4);
    return { version: version === 0 ? 0 : int64(version, true), batch };
  } catch (err) {
    if (err === BAIL) return null;
    throw err;
  } finally {
    u8 = EMPTY;
    for (let k = 0; k < names; k++) nameStr[k] = '';
  }
}
const EMPTY = new Uint8Array(0);

function readEffect(e: number): Effect {
  const op = OP_NAMES[ubyte(e, 4) as keyof typeof OP_NAMES] as Effect['op'] | undefined;
  if (op === undefined || op === 'load') throw BAIL;
  if (op === 'setMeta') {
    const item = field(e, 18);
    const amount = field(e, 16);
    if (item === 0) throw BAIL;
    const key = readString(item);
    const value = amount === 0 ? null : readValue(table(amount));
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') throw BAIL;
    return { op, key, value };
  }
  const t = field(e, 6);
  if (t === 0) throw BAIL;
  const name = readName(t);
  switch (op) {
    case 'insert':
    case 'upsert':
      return { op, table: name, row: readColumns(e) };
    case 'update':
      return { op, table: name, key: readKey(e), values: readColumns(e) };
    case 'updateAt':
      return { op, table: name, row: readRow(e), values: readColumns(e) };
    case 'delete':
      return { op, table: name, key: readKey(e) };
    case 'deleteAt':
      return { op, table: name, row: readRow(e) };
    case 'increment': {
      const key = readKey(e);
      const amount = field(e, 16);
      if (amount === 0) throw BAIL;
      const by = readValue(table(amount));
      if (typeof by !== 'number') throw BAIL;
      return { op, table: name, key, column: readColumn(e), by };
    }
    case 'listAdd':
    case 'listRemove': {
      const key = readKey(e);
      const column = readColumn(e);
      const item = field(e, 18);
      return { op, table: name, key, column, value: item === 0 ? '' : readString(item) };
    }
    case 'require':
      return { op, table: name, key: readKey(e), condition: readCondition(e) };
  }
}

function readKey(e: number): Key {
  const k = field(e, 8);
  if (k === 0) throw BAIL;
  const v = readValue(table(k));
  if (typeof v !== 'number' && typeof v !== 'string') throw BAIL;
  return v;
}

function readColumn(e: number): string {
  const c = field(e, 14);
  if (c === 0) throw BAIL;
  return readName(c);
}

function readRow(e: number): number {
  const r = field(e, 10);
  return r === 0 ? -1 : int64(r, false);
}

function readColumns(e: number): RowInput {
  return readNamedValues(field(e, 12)) as RowInput;
}

/**
 * The vector of Column tables (name and value) at field position `at` as a record: an effect's
 * columns and a struct's fields are stored alike. Empty when the field is absent (0).
 */
function readNamedValues(at: number): Record<string, Value> {
  const out: Record<string, Value> = {};
  if (at === 0) return out;
  const vec = vector(at);
  const n = i32(vec);
  for (let k = 0; k < n; k++) {
    const c = table(vec + 4 + k * 4);
    const name = field(c, 4);
    const value = field(c, 6);
    // A column without a name or value: the other decoder's business (it reads "null" or fails).
    if (name === 0 || value === 0) throw BAIL;
    out[readName(name)] = readValue(table(value));
  }
  return out;
}

function readCondition(e: number): Condition {
  const kind = ubyte(e, 20);
  if (kind === 1) return { exists: true };
  if (kind === 2) return { exists: false };
  const relation = RELATION_NAMES[kind as keyof typeof RELATION_NAMES];
  const vs = field(e, 22);
  if (relation === undefined || vs === 0) throw BAIL;
  const vec = vector(vs);
  const n = i32(vec);
  if (relation === 'in') {
    const values: Value[] = [];
    for (let k = 0; k < n; k++) values.push(readValue(table(vec + 4 + k * 4)));
    return { column: readColumn(e), in: values };
  }
  if (n === 0) throw BAIL;
  const value = readValue(table(vec + 4));
  return { column: readColumn(e), [relation]: value } as Condition;
}

function readValue(v: number): Value {
  switch (ubyte(v, 4)) {
    case ValueKind.Null:
      return null;
    case ValueKind.Bool: {
      const b = field(v, 6);
      return b !== 0 && u8[b] !== 0;
    }
    case ValueKind.Int:
    case ValueKind.Timestamp: {
      const i = field(v, 8);
      return i === 0 ? 0 : int64(i, false);
    }
    case ValueKind.Float: {
      const f = field(v, 10);
      if (f === 0) return 0;
      check(f + 8);
      for (let k = 0; k < 8; k++) f64Bytes[k] = u8[f + k]!;
      return f64[0]!;
    }
    case ValueKind.String: {
      const s = field(v, 12);
      return s === 0 ? '' : readString(s);
    }
    case ValueKind.StringList: {
      const out: string[] = [];
      const s = field(v, 14);
      if (s === 0) return out;
      const vec = vector(s);
      const n = i32(vec);
      for (let k = 0; k < n; k++) out.push(readString(vec + 4 + k * 4));
      return out;
    }
    case ValueKind.Struct:
      return readNamedValues(field(v, 16));
    default:
      // A bigint, or a kind this version does not know.
      throw BAIL;
  }
}

/** Bails out unless `end` (one past the last byte to read) is within the bytes. */
function check(end: number): void {
  if (end > size) throw BAIL;
}

/** The little-endian int32 at `o` (checked). */
function i32(o: number): number {
  if (o < 0 || o + 4 > size) throw BAIL;
  return u8[o]! | (u8[o + 1]! << 8) | (u8[o + 2]! << 16) | (u8[o + 3]! << 24);
}

/** The table that the offset at `o` points to. */
function table(o: number): number {
  return o + i32(o);
}

/** Where field `vt` (a vtable offset) of the table at `pos` is, or 0 when it is absent. */
function field(pos: number, vt: number): number {
  const vtable = pos - i32(pos);
  if (vtable < 0 || vtable + 4 > size) throw BAIL;
  const vtSize = ((u8[vtable]! | (u8[vtable + 1]! << 8)) << 16) >> 16;
  if (vt >= vtSize) return 0;
  check(vtable + vt + 2);
  const o = ((u8[vtable + vt]! | (u8[vtable + vt + 1]! << 8)) << 16) >> 16;
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

/**
 * The vector (of offsets: tables or strings) whose offset is at `o`: where its length is, its
 * elements following. Checks that they are all in range.
 */
function vector(o: number): number {
  const v = table(o);
  const n = i32(v);
  if (n < 0 || v + 4 + n * 4 > size) throw BAIL;
  return v;
}

/**
 * The int64 field at `o` as a number: the nearest double, as Number() of the generated accessor's
 * bigint gives (high × 2^32 is exact, so adding the low half rounds once).
 */
function int64(o: number, unsigned: boolean): number {
  const low = i32(o) >>> 0;
  const high = unsigned ? i32(o + 4) >>> 0 : i32(o + 4);
  return high * TWO_32 + low;
}

/** The string that the offset at `o` points to, decoded as TextDecoder decodes it. */
function readString(o: number): string {
  const s = table(o);
  const n = i32(s);
  const start = s + 4;
  if (n < 0 || start + n > size) throw BAIL;
  return text(start, n);
}

/**
 * Buffer's latin1Slice: a flat one-byte string of bytes, one char each (the bytes are checked ASCII
 * first), in 60% of TextDecoder's time for an 18-byte key (59 vs 98 ns). Not in Node's documented
 * API, so TextDecoder stands in where a Node lacks it.
 */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;
const latin1 =
  typeof latin1Slice === 'function'
    ? latin1Slice
    : function (this: Uint8Array, start: number, end: number): string {
        return decoder.decode(this.subarray(start, end));
      };

/** The `n` bytes from `start` as a string: ASCII by their char codes, anything else by TextDecoder. */
function text(start: number, n: number): string {
  const end = start + n;
  let high = 0;
  for (let k = start; k < end; k++) high |= u8[k]!;
  return high < 0x80 ? latin1.call(u8, start, end) : decoder.decode(u8.subarray(start, end));
}

/** The name (a table or column name) that the offset at `o` points to. */
function readName(o: number): string {
  const at = table(o);
  for (let k = 0; k < names; k++) if (namePos[k] === at) return nameStr[k]!;
  const n = i32(at);
  const start = at + 4;
  if (n < 0 || start + n > size) throw BAIL;
  const name = n > MAX_CACHED_NAME ? text(start, n) : cachedName(start, n);
  if (names < NAME_SLOTS) {
    namePos[names] = at;
    nameStr[names++] = name;
  }
  return name;
}

/** The name of `n` bytes at `start`, from the names of earlier batches where it is one. */
function cachedName(start: number, n: number): string {
  let h = 0x811c9dc5;
  let high = 0;
  for (let k = 0; k < n; k++) {
    const b = u8[start + k]!;
    high |= b;
    h = Math.imul(h ^ b, 0x01000193); // FNV-1a
  }
  // Only an ASCII name has one char per byte, to compare by char codes.
  if (high >= 0x80) return text(start, n);
  const known = cachedNames.get(h);
  if (known !== undefined && known.length === n) {
    let same = true;
    for (let k = 0; k < n && same; k++) same = known.charCodeAt(k) === u8[start + k];
    if (same) return known;
  }
  const name = text(start, n);
  if (cachedNames.size >= MAX_CACHED_NAMES) cachedNames.clear();
  cachedNames.set(h, name);
  return name;
}
