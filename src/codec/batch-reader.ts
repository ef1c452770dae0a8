import type { Batch, Condition, Effect } from '../store/effects.js';
import type { Key, RowInput, Value } from '../store/values.js';
import { OP_NAMES, RELATION_NAMES } from './batch-ops.js';
import { BAIL, FlatReader, gaveUp } from './flat-reader.js';
import { ValueKind } from './generated/mutation_generated.js';

/*
 * The quick path of decodeBatch: reads the FlatBuffers bytes with plain index arithmetic instead of
 * the generated accessors (flat-reader.ts), builds ASCII strings without TextDecoder, and reads
 * the int64 fields as two 32-bit halves. It gives exactly what the generated-accessor decoder gives, or null for
 * anything it does not read the same way for sure (a read out of range, an unknown op or kind, a
 * bigint, a load, a missing field the other decoder would trip over): decodeBatch then decodes
 * those bytes the old way, which also makes every error message of a damaged batch the one it was.
 * Keeping the two apart costs nothing on a well-formed batch: this path only decides earlier.
 */

/** The bytes being read (see flat-reader.ts). */
const fb = new FlatReader();

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

/** The batch and version encoded in `bytes`, or null when decodeBatch must read them itself. */
export function readBatch(bytes: Uint8Array): { version: number; batch: Batch } | null {
  if (bytes.length < 12 || bytes[4] !== 65 || bytes[5] !== 67 || bytes[6] !== 83 || bytes[7] !== 66) {
    return null; // not "ACSB": decodeBatch says so
  }
  fb.start(bytes);
  names = 0;
  try {
    const root = fb.i32(0);
    const e = fb.field(root, 6);
    const vec = e === 0 ? 0 : fb.vector(e);
    const n = e === 0 ? 0 : fb.i32(vec);
    const effects: Effect[] = new Array(n);
    for (let i = 0; i < n; i++) effects[i] = readEffect(fb.table(vec + 4 + i * 4));
    const batch: { -readonly [K in keyof Batch]: Batch[K] } = { effects };
    const producer = fb.field(root, 8);
    if (producer !== 0) batch.producer = fb.string(producer);
    const seq = fb.field(root, 10);
    if (seq !== 0) {
      const v = fb.int64(seq, true);
      if (v > Number.MAX_SAFE_INTEGER) return null;
      batch.seq = v;
    }
    const marker = fb.ubyte(root, 12);
    if (marker === 1 && n === 0) batch.marker = 'compaction';
    else if (marker !== 0) return null;
    const version = fb.field(root, 4);
    return { version: version === 0 ? 0 : fb.int64(version, true), batch };
  } catch (err) {
    if (gaveUp(err)) return null;
    throw err;
  } finally {
    fb.done();
    for (let k = 0; k < names; k++) nameStr[k] = '';
  }
}

function readEffect(e: number): Effect {
  const op = OP_NAMES[fb.ubyte(e, 4) as keyof typeof OP_NAMES] as Effect['op'] | undefined;
  if (op === undefined || op === 'load') throw BAIL;
  if (op === 'setMeta') {
    const item = fb.field(e, 18);
    const amount = fb.field(e, 16);
    if (item === 0) throw BAIL;
    const key = fb.string(item);
    const value = amount === 0 ? null : readValue(fb.table(amount));
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') throw BAIL;
    return { op, key, value };
  }
  const t = fb.field(e, 6);
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
      const amount = fb.field(e, 16);
      if (amount === 0) throw BAIL;
      const by = readValue(fb.table(amount));
      if (typeof by !== 'number') throw BAIL;
      return { op, table: name, key, column: readColumn(e), by };
    }
    case 'listAdd':
    case 'listRemove': {
      const key = readKey(e);
      const column = readColumn(e);
      const item = fb.field(e, 18);
      return { op, table: name, key, column, value: item === 0 ? '' : fb.string(item) };
    }
    case 'require':
      return { op, table: name, key: readKey(e), condition: readCondition(e) };
  }
}

function readKey(e: number): Key {
  const k = fb.field(e, 8);
  if (k === 0) throw BAIL;
  const v = readValue(fb.table(k));
  if (typeof v !== 'number' && typeof v !== 'string') throw BAIL;
  return v;
}

function readColumn(e: number): string {
  const c = fb.field(e, 14);
  if (c === 0) throw BAIL;
  return readName(c);
}

function readRow(e: number): number {
  const r = fb.field(e, 10);
  return r === 0 ? -1 : fb.int64(r, false);
}

function readColumns(e: number): RowInput {
  return readNamedValues(fb.field(e, 12)) as RowInput;
}

/**
 * The vector of Column tables (name and value) at field position `at` as a record: an effect's
 * columns and a struct's fields are stored alike. Empty when the field is absent (0).
 */
function readNamedValues(at: number): Record<string, Value> {
  const out: Record<string, Value> = {};
  if (at === 0) return out;
  const vec = fb.vector(at);
  const n = fb.i32(vec);
  for (let k = 0; k < n; k++) {
    const c = fb.table(vec + 4 + k * 4);
    const name = fb.field(c, 4);
    const value = fb.field(c, 6);
    // A column without a name or value: the other decoder's business (it reads "null" or fails).
    if (name === 0 || value === 0) throw BAIL;
    out[readName(name)] = readValue(fb.table(value));
  }
  return out;
}

function readCondition(e: number): Condition {
  const kind = fb.ubyte(e, 20);
  if (kind === 1) return { exists: true };
  if (kind === 2) return { exists: false };
  const relation = RELATION_NAMES[kind as keyof typeof RELATION_NAMES];
  const vs = fb.field(e, 22);
  if (relation === undefined || vs === 0) throw BAIL;
  const vec = fb.vector(vs);
  const n = fb.i32(vec);
  if (relation === 'in') {
    const values: Value[] = [];
    for (let k = 0; k < n; k++) values.push(readValue(fb.table(vec + 4 + k * 4)));
    return { column: readColumn(e), in: values };
  }
  if (n === 0) throw BAIL;
  const value = readValue(fb.table(vec + 4));
  return { column: readColumn(e), [relation]: value } as Condition;
}

function readValue(v: number): Value {
  switch (fb.ubyte(v, 4)) {
    case ValueKind.Null:
      return null;
    case ValueKind.Bool: {
      const b = fb.field(v, 6);
      return b !== 0 && fb.u8[b] !== 0;
    }
    case ValueKind.Int:
    case ValueKind.Timestamp: {
      const i = fb.field(v, 8);
      return i === 0 ? 0 : fb.int64(i, false);
    }
    case ValueKind.Float: {
      const f = fb.field(v, 10);
      if (f === 0) return 0;
      return fb.f64(f);
    }
    case ValueKind.String: {
      const s = fb.field(v, 12);
      return s === 0 ? '' : fb.string(s);
    }
    case ValueKind.StringList: {
      const out: string[] = [];
      const s = fb.field(v, 14);
      if (s === 0) return out;
      const vec = fb.vector(s);
      const n = fb.i32(vec);
      for (let k = 0; k < n; k++) out.push(fb.string(vec + 4 + k * 4));
      return out;
    }
    case ValueKind.Struct:
      return readNamedValues(fb.field(v, 16));
    default:
      // A bigint, or a kind this version does not know.
      throw BAIL;
  }
}

/** The name (a table or column name) that the offset at `o` points to. */
function readName(o: number): string {
  const at = fb.table(o);
  for (let k = 0; k < names; k++) if (namePos[k] === at) return nameStr[k]!;
  const n = fb.i32(at);
  const start = at + 4;
  if (n < 0 || start + n > fb.size) throw BAIL;
  const name = n > MAX_CACHED_NAME ? fb.text(start, start + n) : cachedName(start, n);
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
    const b = fb.u8[start + k]!;
    high |= b;
    h = Math.imul(h ^ b, 0x01000193); // FNV-1a
  }
  // Only an ASCII name has one char per byte, to compare by char codes.
  if (high >= 0x80) return fb.text(start, start + n);
  const known = cachedNames.get(h);
  if (known !== undefined && known.length === n) {
    let same = true;
    for (let k = 0; k < n && same; k++) same = known.charCodeAt(k) === fb.u8[start + k];
    if (same) return known;
  }
  const name = fb.text(start, start + n);
  if (cachedNames.size >= MAX_CACHED_NAMES) cachedNames.clear();
  cachedNames.set(h, name);
  return name;
}
