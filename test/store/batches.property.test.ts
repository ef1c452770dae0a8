/**
 * Model-based property test of effect batches over every column type.
 *
 * Random sequences of batches run against a store and against a plain model of its two tables: one
 * keyed by a dictionary string, with int8, int32, int64, uint32, float64, bool and timestamp
 * columns (some nullable), a dictionary column in the key's domain, a nullable utf8 column, a
 * list<dictionary> column and a struct of two numeric fields; the other keyed by an int32 id. Each
 * batch is either built with `batch()` and applied with `store.apply`, or run as the same calls in
 * `store.write(tx => ...)`. Its effects are insert, upsert, update, updateAt, delete, deleteAt,
 * increment, listAdd, listRemove and require (exists, equals, notEquals, in, and the ordered lt,
 * lte, gt and gte); mixed in are preconditions that do not hold, ordered comparisons of bool or
 * list columns or against null, values of the wrong type, out of range, too long or null where
 * null is refused, unknown columns, key updates, duplicate and missing keys, increments that
 * overflow or meet a null, and rows out of range.
 *
 * The model checks every effect the way the store documents it (and in the same order: the first
 * problem found is the error raised), so it predicts for each batch either the error code of its
 * first failing effect or the new state and whether a version is published. Deletes move the
 * table's last row into the hole, so the model also knows every row's position.
 *
 * Checked after every step: the newest version equals the model (count, every row by position and
 * by key, keys never inserted are absent), and every pinned snapshot equals the copy of the model
 * taken when it was pinned. A failing batch throws a StateError with the predicted code (naming the
 * failing effect's index where it names one) and leaves the store exactly as it was (every row,
 * both dictionaries, the version) with every block it took freed. A batch that changes nothing
 * publishes no version. A transaction's `tx.batch` and a builder's `build()` record exactly the
 * effects given.
 *
 * At the end every successful batch (the built ones, and `tx.batch` of the write callbacks) is
 * applied in order to a fresh store, half of them through `encodeBatch`/`decodeBatch`: after the
 * k-th, the fresh store has the version and exactly the content (row positions and dictionary
 * codes included) that the original had after it.
 *
 * The store runs with CHURN options (test/support/model-run.ts): copy-on-write, segment growth and
 * reclamation happen often, and a block freed while a snapshot can still see it reads as garbage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  batch,
  bool,
  type ColumnTypeName,
  type Condition,
  decodeBatch,
  dictionary,
  type Effect,
  encodeBatch,
  float64,
  int8,
  int32,
  int64,
  type Key,
  list,
  type Row,
  type RowInput,
  type Snapshot,
  type StateErrorCode,
  Store,
  schema,
  struct,
  type TableSchema,
  type Transaction,
  table,
  timestamp,
  uint32,
  utf8,
  type Value,
} from '../../src/index.js';
import {
  CHURN,
  checkModel,
  commandsArb,
  expectRefused,
  Reach,
  runModel,
  type SnapshotCmd,
} from '../support/model-run.js';

const N = 'nodes';
const J = 'jobs';
const SCHEMA = schema([
  table(
    N,
    {
      id: dictionary('name'),
      i8: int8(),
      i32: int32({ nullable: true }),
      i64: int64(),
      u32: uint32(),
      f64: float64({ nullable: true }),
      ok: bool(),
      at: timestamp({ nullable: true }),
      // Shares the key's domain.
      peer: dictionary('name', { nullable: true }),
      note: utf8({ nullable: true }),
      tags: list(dictionary('tag')),
      res: struct({ cpu: int32(), mem: int64({ nullable: true }) }),
    },
    { key: 'id' },
  ),
  table(
    J,
    { id: int32(), node: dictionary('name', { nullable: true, width: 16 }), n: int32(), done: bool() },
    { key: 'id' },
  ),
]);
const MAX_STRING_BYTES = 8192;
const OPTIONS = { ...CHURN, maxStringBytes: MAX_STRING_BYTES } as const;
const DOMAINS = ['name', 'tag'] as const;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const TS_MAX = 8.64e15;
const MAX_KEY = 2 ** 31 - 1;

/** Keys of the nodes table: up to four row groups of them. */
const NODE_KEYS: readonly string[] = [
  '',
  'a',
  'b',
  'c',
  'A',
  'node-1',
  'node-2',
  'node-10',
  'é',
  'e\u0301',
  '漢字',
  '🚀',
  'x'.repeat(40),
  ...Array.from({ length: 19 }, (_, i) => `n${i}`),
];
/** Strings written as references (peer, jobs.node) but never as keys. */
const REF_ONLY: readonly string[] = ['ghost', 'peer-only'];
/** Node keys that no run ever inserts. */
const NEVER_NODES: readonly Key[] = [...REF_ONLY, 'never', 'n', 'E', 0];
const JOB_KEYS: readonly number[] = [...Array.from({ length: 16 }, (_, i) => i), 4095, 4096];
const NEVER_JOBS: readonly Key[] = [16, 100, 4097, MAX_KEY, -1, 1.5, 'a'];
const TAGS: readonly string[] = ['gpu', 'cpu', 'ssd', '', 'ünï', '🏷️'];

// --- the model --------------------------------------------------------------------------------

/** A stored column: struct fields flattened as "struct.field". */
interface Col {
  readonly name: string;
  readonly type: ColumnTypeName;
  readonly nullable: boolean;
}

/** What the model knows of a table's schema. */
interface Spec {
  readonly name: string;
  readonly key: string;
  readonly dictKey: boolean;
  /** Stored columns in schema order. */
  readonly columns: readonly Col[];
  readonly byName: ReadonlyMap<string, Col>;
  /** Struct name to its field names. */
  readonly structs: ReadonlyMap<string, readonly string[]>;
}

function specOf(t: TableSchema): Spec {
  const columns: Col[] = [];
  const structs = new Map<string, string[]>();
  for (const c of t.columns) {
    if (c.type === 'struct') {
      const fields = Object.entries(c.fields!);
      structs.set(
        c.name,
        fields.map(([f]) => f),
      );
      for (const [f, ft] of fields)
        columns.push({ name: `${c.name}.${f}`, type: ft.type, nullable: ft.nullable });
    } else {
      columns.push({ name: c.name, type: c.type, nullable: c.nullable });
    }
  }
  const keyCol = columns.find((c) => c.name === t.key)!;
  return {
    name: t.name,
    key: t.key!,
    dictKey: keyCol.type === 'dictionary',
    columns,
    byName: new Map(columns.map((c) => [c.name, c])),
    structs,
  };
}

const SPECS: ReadonlyMap<string, Spec> = new Map(SCHEMA.tables.map((t) => [t.name, specOf(t)]));

/** The error a model check predicts. */
class Refused {
  constructor(
    readonly code: StateErrorCode,
    /** What was refused, for the coverage checks. */
    readonly why: string,
  ) {}
}
const refuse = (code: StateErrorCode, why = ''): never => {
  throw new Refused(code, why);
};

/** Things the model saw happen in the current batch, counted once the batch commits. */
let events: string[] = [];

function checkLength(s: string): string {
  return Buffer.byteLength(s, 'utf8') > MAX_STRING_BYTES ? refuse('STRING_TOO_LONG') : s;
}

const INT_RANGE: Partial<Record<ColumnTypeName, readonly [number, number]>> = {
  int8: [-128, 127],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

/** A value as a column stores and reads it back, or the refusal the store must raise. */
function cell(col: Col, v: unknown): Value {
  const type = col.type;
  if (v === null || v === undefined) return col.nullable ? null : refuse('NULL_NOT_ALLOWED', type);
  switch (type) {
    case 'dictionary':
    case 'utf8':
      return typeof v === 'string' ? checkLength(v) : refuse('TYPE_MISMATCH', type);
    case 'list':
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return refuse('TYPE_MISMATCH', type);
      return v.map(checkLength);
    case 'bool':
      return typeof v === 'boolean' ? v : refuse('TYPE_MISMATCH', type);
    case 'float64':
      if (typeof v !== 'number') return refuse('TYPE_MISMATCH', type);
      if (Object.is(v, -0)) events.push('float64 -0');
      if (Number.isNaN(v)) events.push('float64 NaN');
      return v;
    case 'int64':
      if (typeof v === 'bigint') return v < I64_MIN || v > I64_MAX ? refuse('OUT_OF_RANGE', type) : v;
      if (typeof v !== 'number' || !Number.isInteger(v)) return refuse('TYPE_MISMATCH', type);
      return Number.isSafeInteger(v) ? BigInt(v) : refuse('OUT_OF_RANGE', type);
    case 'timestamp': {
      const ms = v instanceof Date ? v.getTime() : v;
      if (typeof ms !== 'number' || !Number.isInteger(ms)) return refuse('TYPE_MISMATCH', type);
      if (v instanceof Date) events.push('timestamp Date');
      // Stored as int64 milliseconds: -0 reads back as 0.
      return Math.abs(ms) > TS_MAX ? refuse('OUT_OF_RANGE', type) : ms + 0;
    }
    default: {
      const [min, max] = INT_RANGE[type]!;
      if (typeof v !== 'number' || !Number.isInteger(v)) return refuse('TYPE_MISMATCH', type);
      return v < min || v > max ? refuse('OUT_OF_RANGE', type) : v + 0;
    }
  }
}

/** Row values by stored column name (struct fields flattened). */
type Flat = Record<string, Value>;

/** The documented comparison of `require`: Object.is, item by item for lists, bigint = safe number. */
function sameValue(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const big = (v: Value) =>
      typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : null;
    const x = big(a);
    return x !== null && x === big(b);
  }
  return Object.is(a, b);
}

const RELATIONS = ['equals', 'notEquals', 'in', 'lt', 'lte', 'gt', 'gte'] as const;
type Relation = (typeof RELATIONS)[number];
const ORDERED: readonly Relation[] = ['lt', 'lte', 'gt', 'gte'];

/** The documented operand of an ordered comparison, as the cell's kind; INVALID_BATCH if none. */
function orderedOperand(col: Col, v: unknown): number | bigint | string {
  if (col.type === 'bool' || col.type === 'list') refuse('INVALID_BATCH', `ordered ${col.type}`);
  if (v === null) refuse('INVALID_BATCH', 'ordered null');
  if (col.type === 'dictionary' || col.type === 'utf8') {
    return typeof v === 'string' ? v : refuse('INVALID_BATCH', 'ordered kind');
  }
  if (col.type === 'int64') {
    if (typeof v === 'bigint') return v;
    return Number.isSafeInteger(v) ? BigInt(v as number) : refuse('INVALID_BATCH', 'ordered kind');
  }
  const n = col.type === 'timestamp' && v instanceof Date ? v.getTime() : v;
  return typeof n === 'number' && !Number.isNaN(n) ? n : refuse('INVALID_BATCH', 'ordered kind');
}

/** The documented order: numeric, strings by code point (UTF-8 bytes); null and NaN cells never hold. */
function ordered(actual: Value, operand: number | bigint | string, kind: Relation): boolean {
  if (actual === null) refuse('PRECONDITION_FAILED', 'ordered null cell');
  if (Number.isNaN(actual)) refuse('PRECONDITION_FAILED', 'ordered NaN cell');
  let c: number;
  if (typeof operand === 'string') {
    // Independent of the store's compareStrings: the strings' UTF-8 bytes.
    c = Buffer.compare(Buffer.from(actual as string, 'utf8'), Buffer.from(operand, 'utf8'));
    events.push('require ordered strings');
  } else {
    const a = actual as number | bigint;
    c = a < operand ? -1 : a > operand ? 1 : a === operand ? 0 : Number.NaN;
  }
  return kind === 'lt' ? c < 0 : kind === 'lte' ? c <= 0 : kind === 'gt' ? c > 0 : c >= 0;
}

class TableModel {
  readonly rows: Flat[];
  readonly #pos: Map<Key, number>;

  constructor(
    readonly spec: Spec,
    rows: readonly Flat[] = [],
  ) {
    this.rows = rows.map((r) => ({ ...r }));
    this.#pos = new Map(this.rows.map((r, i) => [r[spec.key] as Key, i]));
  }

  clone(): TableModel {
    return new TableModel(this.spec, this.rows);
  }

  get keys(): Key[] {
    return this.rows.map((r) => r[this.spec.key] as Key);
  }

  /** The position of the row with `key`, -1 when none (or when `key` cannot be a key). */
  positionOf(key: unknown): number {
    if (this.spec.dictKey ? typeof key !== 'string' : !(Number.isInteger(key) && (key as number) >= 0))
      return -1;
    return this.#pos.get(key as Key) ?? -1;
  }

  /** The row as the store reads it: struct fields nested. */
  row(pos: number): Row {
    const out: Row = {};
    for (const [name, v] of Object.entries(this.rows[pos]!)) {
      const dot = name.indexOf('.');
      if (dot < 0) out[name] = v;
      else {
        const parent = name.slice(0, dot);
        out[parent] ??= {};
        (out[parent] as Record<string, Value>)[name.slice(dot + 1)] = v;
      }
    }
    return out;
  }

  #column(name: string): Col {
    return this.spec.byName.get(name) ?? refuse('UNKNOWN_COLUMN', name);
  }

  /** A struct's value: undefined, or an object naming only its fields. */
  #structValue(name: string, v: unknown): Record<string, unknown> | undefined {
    if (v === undefined) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date)
      refuse('TYPE_MISMATCH', 'struct');
    for (const f in v as object) this.#column(`${name}.${f}`);
    return v as Record<string, unknown>;
  }

  #rowOfKey(key: unknown): number {
    const pos = this.positionOf(key);
    return pos < 0 ? refuse('KEY_NOT_FOUND') : pos;
  }

  insert(input: RowInput): void {
    const spec = this.spec;
    for (const name in input) {
      if (spec.structs.has(name)) this.#structValue(name, input[name]);
      else this.#column(name);
    }
    const flat: Flat = {};
    for (const col of spec.columns) {
      const dot = col.name.indexOf('.');
      const v =
        dot < 0
          ? input[col.name]
          : (input[col.name.slice(0, dot)] as Record<string, unknown> | undefined)?.[col.name.slice(dot + 1)];
      flat[col.name] = cell(col, v);
    }
    const key = flat[spec.key] as Key;
    if (!spec.dictKey && ((key as number) < 0 || (key as number) > MAX_KEY)) refuse('OUT_OF_RANGE', 'key');
    if (this.positionOf(key) >= 0) refuse('DUPLICATE_KEY');
    this.#pos.set(key, this.rows.length);
    this.rows.push(flat);
  }

  /** Sets the given columns of row `pos` (undefined: not given); whether anything was given. */
  #set(pos: number, values: RowInput): boolean {
    const changes: [string, Value][] = [];
    for (const name in values) {
      const v = values[name];
      if (v === undefined) continue;
      if (this.spec.structs.has(name)) {
        const fields = this.#structValue(name, v)!;
        for (const f in fields) {
          if (fields[f] === undefined) continue;
          const col = this.#column(`${name}.${f}`);
          changes.push([col.name, cell(col, fields[f])]);
        }
        continue;
      }
      const col = this.#column(name);
      if (col.name === this.spec.key) refuse('KEY_UPDATE');
      changes.push([col.name, cell(col, v)]);
    }
    const row = this.rows[pos]!;
    for (const [name, v] of changes) row[name] = v;
    return changes.length > 0;
  }

  update(key: Key, values: RowInput): boolean {
    return this.#set(this.#rowOfKey(key), values);
  }

  updateAt(pos: number, values: RowInput): boolean {
    return this.#set(this.#checkRow(pos), values);
  }

  upsert(input: RowInput): boolean {
    const pos = this.positionOf(input[this.spec.key]);
    if (pos < 0) {
      this.insert(input);
      events.push('upsert inserts');
      return true;
    }
    events.push('upsert updates');
    const values = { ...input };
    delete values[this.spec.key];
    return this.#set(pos, values);
  }

  #checkRow(pos: number): number {
    return Number.isInteger(pos) && pos >= 0 && pos < this.rows.length ? pos : refuse('ROW_OUT_OF_RANGE');
  }

  /** The documented delete: the table's last row moves into the deleted row's position. */
  deleteAt(pos: number): void {
    this.#checkRow(pos);
    this.#pos.delete(this.rows[pos]![this.spec.key] as Key);
    const last = this.rows.pop()!;
    if (pos < this.rows.length) {
      this.rows[pos] = last;
      this.#pos.set(last[this.spec.key] as Key, pos);
    }
  }

  delete(key: Key): void {
    this.deleteAt(this.#rowOfKey(key));
  }

  increment(key: Key, column: string, by: number | bigint): void {
    const col = this.#column(column);
    const row = this.rows[this.#rowOfKey(key)]!;
    if (!['int8', 'int32', 'int64', 'uint32', 'float64', 'timestamp'].includes(col.type))
      refuse('TYPE_MISMATCH', `increment ${col.type}`);
    if (column === this.spec.key) refuse('KEY_UPDATE', 'increment');
    const value = row[column]!;
    if (value === null) refuse('TYPE_MISMATCH', 'increment null');
    let next: number | bigint;
    if (typeof value === 'bigint') {
      if (typeof by !== 'bigint' && !Number.isSafeInteger(by)) refuse('TYPE_MISMATCH', 'increment by');
      next = value + BigInt(by);
    } else {
      if (typeof by !== 'number') refuse('TYPE_MISMATCH', 'increment by');
      next = (value as number) + (by as number);
    }
    try {
      row[column] = cell(col, next);
    } catch (err) {
      throw err instanceof Refused ? new Refused(err.code, `increment ${err.why}`) : err;
    }
    events.push(`increment ${col.type}`);
  }

  /** listAdd / listRemove; whether the list changed. */
  changeList(key: Key, column: string, value: string, add: boolean): boolean {
    const col = this.#column(column);
    const row = this.rows[this.#rowOfKey(key)]!;
    if (col.type !== 'list' || typeof value !== 'string') refuse('TYPE_MISMATCH', 'list effect');
    const items = (row[column] ?? []) as string[];
    const next = add ? (items.includes(value) ? items : [...items, value]) : items.filter((x) => x !== value);
    if (items.length - next.length > 1) events.push('listRemove removes copies');
    if (next.length === items.length) {
      events.push(`${add ? 'listAdd' : 'listRemove'} changes nothing`);
      return false;
    }
    row[column] = next;
    return true;
  }

  require(key: Key, condition: Extract<Effect, { op: 'require' }>['condition']): void {
    const pos = this.positionOf(key);
    if ('exists' in condition) {
      if (condition.exists !== pos >= 0)
        refuse('PRECONDITION_FAILED', condition.exists ? 'exists' : 'absent');
      return;
    }
    const c = condition as { column: string } & Record<string, unknown>;
    const kind = RELATIONS.find((r) => r in c)!;
    const col = this.#column(c.column);
    // An ordered comparison's operand is checked against the column before the row is looked at.
    const operand = ORDERED.includes(kind) ? orderedOperand(col, c[kind]) : null;
    if (pos < 0) refuse('PRECONDITION_FAILED', `${kind} of no row`);
    const actual = this.rows[pos]![c.column]!;
    let holds: boolean;
    if (operand !== null) holds = ordered(actual, operand, kind);
    else if (kind === 'in') holds = (c.in as Value[]).some((w) => sameValue(actual, w));
    else holds = sameValue(actual, c[kind] as Value) === (kind === 'equals');
    if (!holds) refuse('PRECONDITION_FAILED', kind);
    events.push(`require ${kind} holds`);
  }
}

class Model {
  readonly tables: ReadonlyMap<string, TableModel>;

  constructor(tables?: ReadonlyMap<string, TableModel>) {
    this.tables = new Map(
      [...SPECS.values()].map((s) => [s.name, tables?.get(s.name)?.clone() ?? new TableModel(s)]),
    );
  }

  clone(): Model {
    return new Model(this.tables);
  }

  t(name: string): TableModel {
    return this.tables.get(name)!;
  }

  /** Applies one effect as the store documents it; whether it changed anything. Throws Refused. */
  apply(e: Effect): boolean {
    if (e.op === 'load' || e.op === 'setMeta') throw new Error(`${e.op} is not modelled here`);
    const t = this.tables.get(e.table) ?? refuse('UNKNOWN_TABLE');
    switch (e.op) {
      case 'insert':
        t.insert(e.row);
        return true;
      case 'upsert':
        return t.upsert(e.row);
      case 'update':
        return t.update(e.key, e.values);
      case 'updateAt':
        return t.updateAt(e.row, e.values);
      case 'delete':
        t.delete(e.key);
        return true;
      case 'deleteAt':
        t.deleteAt(e.row);
        return true;
      case 'increment':
        t.increment(e.key, e.column, e.by);
        return true;
      case 'listAdd':
      case 'listRemove':
        return t.changeList(e.key, e.column, e.value, e.op === 'listAdd');
      case 'require':
        t.require(e.key, e.condition);
        return false;
    }
  }
}

// --- arbitraries ------------------------------------------------------------------------------

const mostly = fc.oneof(
  { weight: 20, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);
const sel = fc.nat({ max: 10_000 });
const nullable = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: arb });
const bigAsNumber = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map(Number);

const i8Arb = fc.oneof(fc.constantFrom(-128, 127, 126, -127, 0, -0), fc.integer({ min: -128, max: 127 }));
const i32Arb = fc.oneof(fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0), fc.integer());
const i64Arb: fc.Arbitrary<bigint | number> = fc.oneof(
  fc.constantFrom(I64_MIN, I64_MAX, 0n, I64_MAX - 1n),
  fc.bigInt({ min: I64_MIN, max: I64_MAX }),
  fc.maxSafeInteger(),
);
const u32Arb = fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1), bigAsNumber(0n, 2n ** 32n - 1n));
const f64Arb = fc.oneof(fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 0.1), fc.double());
const msArb = fc.oneof(
  fc.constantFrom(0, TS_MAX, -TS_MAX, TS_MAX - 1),
  bigAsNumber(-8_640_000_000_000_000n, 8_640_000_000_000_000n),
);
const atArb: fc.Arbitrary<number | Date> = fc.oneof(
  { weight: 3, arbitrary: msArb },
  { weight: 1, arbitrary: msArb.map((ms) => new Date(ms)) },
);
const nameRefArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NODE_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...REF_ONLY) },
);
const noteArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('', 'ünïcödé', '漢字', '🚀', 'e\u0301') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  // Long texts, up to the limit: a row group of them needs a data block of its own.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'ü', '漢'), fc.integer({ min: 100, max: MAX_STRING_BYTES }))
      .map(([c, bytes]) => c.repeat(Math.floor(bytes / Buffer.byteLength(c)))),
  },
);
const tagsArb = fc.array(fc.constantFrom(...TAGS), { maxLength: 5 });

/** Every non-key column of a nodes row, valid. */
const nodeValues = {
  i8: i8Arb,
  i32: nullable(i32Arb),
  i64: i64Arb,
  u32: u32Arb,
  f64: nullable(f64Arb),
  ok: fc.boolean(),
  at: nullable(atArb),
  peer: nullable(nameRefArb),
  note: nullable(noteArb),
  tags: tagsArb,
  res: fc.record({ cpu: i32Arb, mem: nullable(i64Arb) }),
};
const jobValues = { node: nullable(nameRefArb), n: i32Arb, done: fc.boolean() };

/** Some columns, some given as undefined ("not given"), in either order. */
function partialOf<T extends Record<string, fc.Arbitrary<unknown>>>(model: T): fc.Arbitrary<RowInput> {
  const maybe = <V>(arb: fc.Arbitrary<V>) => fc.option(arb, { nil: undefined, freq: 4 });
  const fields = Object.fromEntries(
    Object.entries(model).map(([k, arb]) => [
      k,
      k === 'res'
        ? maybe(fc.record({ cpu: maybe(i32Arb), mem: maybe(nullable(i64Arb)) }, { requiredKeys: [] }))
        : maybe(arb),
    ]),
  );
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.boolean())
    .map(([v, reverse]) => (reverse ? Object.fromEntries(Object.entries(v).reverse()) : v) as RowInput);
}

/** Column values that the store refuses (or, given as undefined, leaves as null or as it was). */
const NODE_BAD: readonly (readonly [string, unknown])[] = [
  ['i8', 128],
  ['i8', -129],
  ['i8', 1.5],
  ['i8', null],
  ['i8', undefined],
  ['i8', '1'],
  ['i32', 2 ** 31],
  ['i32', 1n],
  ['i64', 2n ** 63n],
  ['i64', I64_MIN - 1n],
  ['i64', 2 ** 53],
  ['i64', 0.5],
  ['i64', '5'],
  ['u32', -1],
  ['u32', 2 ** 32],
  ['u32', null],
  ['f64', '1.0'],
  ['f64', 1n],
  ['ok', 1],
  ['ok', null],
  ['at', 1.5],
  ['at', TS_MAX + 1],
  ['at', 'now'],
  ['at', new Date(Number.NaN)],
  ['peer', 5],
  ['peer', ['a']],
  ['note', 5],
  ['note', ['a']],
  ['note', 'x'.repeat(MAX_STRING_BYTES + 1)],
  ['peer', 'ü'.repeat(MAX_STRING_BYTES / 2 + 1)],
  ['tags', ['gpu', '漢'.repeat(MAX_STRING_BYTES / 3 + 1)]],
  ['tags', 'gpu'],
  ['tags', null],
  ['tags', ['gpu', 1]],
  ['res', null],
  ['res', 5],
  ['res', [1]],
  ['res', { cpu: null }],
  ['res', { cpu: 2 ** 31 }],
  ['res', { cpu: 1, mem: 1.5 }],
  ['res', { cpu: 1, gpu: 1 }],
  ['res', { cpu: '1' }],
  ['nope', 1],
  ['id', 5],
];
const JOB_BAD: readonly (readonly [string, unknown])[] = [
  ['n', 2 ** 31],
  ['n', 'x'],
  ['n', null],
  ['n', undefined],
  ['done', 0],
  ['node', 1],
  ['nope', 1],
  ['id', -1],
  ['id', 2.5],
  ['id', 2 ** 31],
];

interface TableGen {
  readonly name: string;
  readonly keys: readonly Key[];
  readonly never: readonly Key[];
  readonly full: fc.Arbitrary<RowInput>;
  readonly partial: fc.Arbitrary<RowInput>;
  readonly bad: readonly (readonly [string, unknown])[];
  /** Columns to increment, then columns that cannot be. */
  readonly inc: readonly string[];
  readonly noInc: readonly string[];
  readonly req: readonly string[];
}

const GENS: readonly TableGen[] = [
  {
    name: N,
    keys: NODE_KEYS,
    never: NEVER_NODES,
    full: fc.record(nodeValues) as fc.Arbitrary<RowInput>,
    partial: partialOf(nodeValues),
    bad: NODE_BAD,
    inc: ['i8', 'i8', 'i8', 'i32', 'i64', 'u32', 'f64', 'at', 'res.cpu', 'res.mem'],
    noInc: ['ok', 'peer', 'note', 'tags', 'id', 'nope'],
    req: ['i8', 'i32', 'i64', 'u32', 'f64', 'ok', 'at', 'peer', 'note', 'tags', 'res.cpu', 'res.mem'],
  },
  {
    name: J,
    keys: JOB_KEYS,
    never: NEVER_JOBS,
    full: fc.record(jobValues) as fc.Arbitrary<RowInput>,
    partial: partialOf(jobValues),
    bad: JOB_BAD,
    inc: ['n'],
    noInc: ['id', 'done', 'node', 'id'],
    req: ['node', 'n', 'done'],
  },
];
const GEN = new Map(GENS.map((g) => [g.name, g]));

const tableArb = fc.oneof({ weight: 3, arbitrary: fc.constant(N) }, { weight: 1, arbitrary: fc.constant(J) });
const badArb = fc.oneof({ weight: 14, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() });
const byArb: fc.Arbitrary<number | bigint> = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(100, -100, 200, -200, 2 ** 31, -(2 ** 32)) },
  { weight: 1, arbitrary: fc.constantFrom(2n ** 62n, -(2n ** 62n)) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 2 ** 53, Number.NaN) },
);

/** An operation, before it is made concrete against the state it runs on. */
type Op =
  | { kind: 'insert'; table: string; hit: boolean; sel: number; values: RowInput; bad: number | null }
  | {
      kind: 'upsert';
      table: string;
      existing: boolean;
      sel: number;
      full: RowInput;
      partial: RowInput;
      bad: number | null;
    }
  | {
      kind: 'update' | 'updateAt';
      table: string;
      hit: boolean;
      sel: number;
      values: RowInput;
      bad: number | null;
    }
  | { kind: 'delete' | 'deleteAt'; table: string; hit: boolean; sel: number }
  | {
      kind: 'increment';
      table: string;
      hit: boolean;
      sel: number;
      col: number;
      colOk: boolean;
      by: number | bigint;
      match: boolean;
    }
  | {
      kind: 'listAdd' | 'listRemove';
      hit: boolean;
      sel: number;
      tag: string;
      present: boolean;
      colOk: boolean;
    }
  | {
      kind: 'require';
      table: string;
      hit: boolean;
      sel: number;
      cond: 'exists' | 'absent' | Relation;
      col: number;
      other: RowInput;
    };

const fromTable = <T>(f: (g: TableGen) => fc.Arbitrary<T>): fc.Arbitrary<T> =>
  tableArb.chain((t) => f(GEN.get(t)!));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fromTable((g) =>
      fc.record({
        kind: fc.constant('insert' as const),
        table: fc.constant(g.name),
        hit: mostly,
        sel,
        values: g.full,
        bad: badArb,
      }),
    ),
  },
  {
    weight: 5,
    arbitrary: fromTable((g) =>
      fc.record({
        kind: fc.constant('upsert' as const),
        table: fc.constant(g.name),
        existing: fc.boolean(),
        sel,
        full: g.full,
        partial: g.partial,
        bad: badArb,
      }),
    ),
  },
  {
    weight: 8,
    arbitrary: fromTable((g) =>
      fc.record({
        kind: fc.constantFrom('update' as const, 'updateAt' as const),
        table: fc.constant(g.name),
        hit: mostly,
        sel,
        values: g.partial,
        bad: badArb,
      }),
    ),
  },
  {
    weight: 4,
    arbitrary: fromTable((g) =>
      fc.record({
        kind: fc.constantFrom('delete' as const, 'deleteAt' as const),
        table: fc.constant(g.name),
        hit: mostly,
        sel,
      }),
    ),
  },
  {
    weight: 6,
    arbitrary: fromTable((g) =>
      fc.record({
        kind: fc.constant('increment' as const),
        table: fc.constant(g.name),
        hit: mostly,
        sel,
        col: fc.nat(),
        colOk: fc.oneof(
          { weight: 8, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        by: byArb,
        match: mostly,
      }),
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('listAdd' as const, 'listRemove' as const),
      hit: mostly,
      sel,
      tag: fc.constantFrom(...TAGS),
      present: fc.boolean(),
      colOk: mostly,
    }),
  },
  {
    weight: 5,
    arbitrary: fromTable((g) =>
      fc.record({
        kind: fc.constant('require' as const),
        table: fc.constant(g.name),
        hit: fc.oneof(
          { weight: 6, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        sel,
        cond: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              'exists' as const,
              'absent' as const,
              'equals' as const,
              'in' as const,
            ),
          },
          { weight: 3, arbitrary: fc.constantFrom(...(['notEquals', 'lt', 'lte', 'gt', 'gte'] as const)) },
        ),
        col: fc.nat(),
        other: g.full,
      }),
    ),
  },
);

type BatchCmd = { kind: 'batch'; via: 'apply' | 'write'; ops: Op[] };

const batchArb: fc.Arbitrary<BatchCmd> = fc.record({
  kind: fc.constant('batch' as const),
  via: fc.constantFrom('apply' as const, 'write' as const),
  ops: fc.array(opArb, { minLength: 1, maxLength: 5 }),
});
const cmdsArb = commandsArb(batchArb, 10, sel, 120);

// --- making operations concrete ---------------------------------------------------------------

/** The key of an existing row (any key when the table is empty). */
function existingKey(t: TableModel, g: TableGen, s: number): Key {
  const keys = t.keys;
  return keys.length > 0 ? keys[s % keys.length]! : g.keys[s % g.keys.length]!;
}

/** A key of no row (one that exists when every key does). */
function missingKey(t: TableModel, g: TableGen, s: number): Key {
  for (let i = 0; i < g.keys.length; i++) {
    const k = g.keys[(s + i) % g.keys.length]!;
    if (t.positionOf(k) < 0) return k;
  }
  return g.never[s % g.never.length]!;
}

function withBad(g: TableGen, values: RowInput, bad: number | null): RowInput {
  if (bad === null) return values;
  const [column, value] = g.bad[bad % g.bad.length]!;
  return { ...values, [column]: value as Value };
}

/** The stored value of a column as `require` would compare it; int64 sometimes as a number. */
function valueAt(m: TableModel, key: Key, column: string, asNumber: boolean): Value {
  const v = m.rows[m.positionOf(key)]![column]!;
  if (
    typeof v === 'bigint' &&
    asNumber &&
    v >= BigInt(Number.MIN_SAFE_INTEGER) &&
    v <= BigInt(Number.MAX_SAFE_INTEGER)
  )
    return Number(v);
  return Array.isArray(v) ? [...v] : v;
}

/** A column's value in a generated row (struct fields by "struct.field"), for a condition. */
function inputAt(input: RowInput, column: string): Value {
  const [parent, leaf] = column.split('.') as [string, string | undefined];
  const v =
    leaf === undefined ? input[parent] : (input[parent] as Record<string, unknown> | undefined)?.[leaf];
  return v instanceof Date ? v.getTime() : ((v ?? null) as Value);
}

function concrete(m: Model, op: Op): Effect {
  if (!('table' in op)) {
    const t = m.t(N);
    const key = op.hit ? existingKey(t, GEN.get(N)!, op.sel) : missingKey(t, GEN.get(N)!, op.sel);
    const pos = t.positionOf(key);
    const items = pos < 0 ? [] : (t.rows[pos]!.tags as string[]);
    const value = op.present && items.length > 0 ? items[op.sel % items.length]! : op.tag;
    return { op: op.kind, table: N, key, column: op.colOk ? 'tags' : 'note', value };
  }
  const g = GEN.get(op.table)!;
  const t = m.t(op.table);
  switch (op.kind) {
    case 'insert': {
      const key = op.hit ? missingKey(t, g, op.sel) : existingKey(t, g, op.sel);
      return { op: 'insert', table: g.name, row: withBad(g, { id: key, ...op.values }, op.bad) };
    }
    case 'upsert': {
      const key = op.existing ? existingKey(t, g, op.sel) : missingKey(t, g, op.sel);
      const values = t.positionOf(key) >= 0 ? op.partial : op.full;
      return { op: 'upsert', table: g.name, row: withBad(g, { id: key, ...values }, op.bad) };
    }
    case 'update': {
      const key = op.hit ? existingKey(t, g, op.sel) : missingKey(t, g, op.sel);
      return { op: 'update', table: g.name, key, values: withBad(g, op.values, op.bad) };
    }
    case 'updateAt':
    case 'deleteAt': {
      const n = t.rows.length;
      const row = op.hit && n > 0 ? op.sel % n : [n, n + 1, -1, 0.5][op.sel % 4]!;
      return op.kind === 'updateAt'
        ? { op: 'updateAt', table: g.name, row, values: withBad(g, op.values, op.bad) }
        : { op: 'deleteAt', table: g.name, row };
    }
    case 'delete': {
      const key = op.hit ? existingKey(t, g, op.sel) : missingKey(t, g, op.sel);
      return { op: 'delete', table: g.name, key };
    }
    case 'increment': {
      const key = op.hit ? existingKey(t, g, op.sel) : missingKey(t, g, op.sel);
      const column = op.colOk ? g.inc[op.col % g.inc.length]! : g.noInc[op.col % g.noInc.length]!;
      let by = op.by;
      if (op.match) {
        // The amount's type the column takes: bigint (or a safe integer) for int64, else a number.
        const int64 = SPECS.get(g.name)!.byName.get(column)?.type === 'int64';
        if (int64 && typeof by === 'number' && Number.isSafeInteger(by)) by = BigInt(by);
        if (!int64 && typeof by === 'bigint') by = Number(by);
      }
      return { op: 'increment', table: g.name, key, column, by };
    }
    case 'require': {
      if (op.cond === 'exists' || op.cond === 'absent') {
        // A hit asks for a condition that holds: exists of an existing row, absent of a missing one.
        const existing = (op.cond === 'exists') === op.hit;
        const key = (existing ? existingKey : missingKey)(t, g, op.sel);
        return { op: 'require', table: g.name, key, condition: { exists: op.cond === 'exists' } };
      }
      // A value condition, of an existing row (a third of the misses name a missing one).
      const key = (op.hit || op.sel % 3 !== 0 ? existingKey : missingKey)(t, g, op.sel);
      const column = g.req[op.col % g.req.length]!;
      const other = inputAt(op.other, column);
      const actual = t.positionOf(key) >= 0 ? valueAt(t, key, column, op.sel % 2 === 0) : other;
      if (op.cond === 'equals' || op.cond === 'notEquals') {
        const value = (op.cond === 'equals') === op.hit ? actual : other;
        return { op: 'require', table: g.name, key, condition: { column, [op.cond]: value } as Condition };
      }
      if (op.cond === 'in') {
        const values = op.hit ? [other, actual] : op.sel % 2 === 0 ? [other] : [];
        return { op: 'require', table: g.name, key, condition: { column, in: values } };
      }
      // Ordered: a hit compares lte/gte with the row's own value (they hold) and lt/gt with
      // another row's (they hold about half the time); a miss the other way round. A timestamp
      // is sometimes a Date.
      let operand: unknown = op.hit === (op.cond === 'lte' || op.cond === 'gte') ? actual : other;
      if (column === 'at' && typeof operand === 'number' && op.sel % 3 === 1) operand = new Date(operand);
      return { op: 'require', table: g.name, key, condition: { column, [op.cond]: operand } as Condition };
    }
  }
}

// --- running effects --------------------------------------------------------------------------

function runOnTx(tx: Transaction, e: Effect): void {
  switch (e.op) {
    case 'insert':
      tx.insert(e.table, e.row);
      break;
    case 'upsert':
      tx.upsert(e.table, e.row);
      break;
    case 'update':
      tx.update(e.table, e.key, e.values);
      break;
    case 'updateAt':
      tx.updateAt(e.table, e.row, e.values);
      break;
    case 'delete':
      tx.delete(e.table, e.key);
      break;
    case 'deleteAt':
      tx.deleteAt(e.table, e.row);
      break;
    case 'increment':
      tx.increment(e.table, e.key, e.column, e.by);
      break;
    case 'listAdd':
      tx.listAdd(e.table, e.key, e.column, e.value);
      break;
    case 'listRemove':
      tx.listRemove(e.table, e.key, e.column, e.value);
      break;
    case 'require':
      tx.require(e.table, e.key, e.condition);
      break;
  }
}

function build(effects: readonly Effect[]): Batch {
  const b = batch();
  for (const e of effects) {
    switch (e.op) {
      case 'insert':
        b.insert(e.table, e.row);
        break;
      case 'upsert':
        b.upsert(e.table, e.row);
        break;
      case 'update':
        b.update(e.table, e.key, e.values);
        break;
      case 'updateAt':
        b.updateAt(e.table, e.row, e.values);
        break;
      case 'delete':
        b.delete(e.table, e.key);
        break;
      case 'deleteAt':
        b.deleteAt(e.table, e.row);
        break;
      case 'increment':
        b.increment(e.table, e.key, e.column, e.by);
        break;
      case 'listAdd':
        b.listAdd(e.table, e.key, e.column, e.value);
        break;
      case 'listRemove':
        b.listRemove(e.table, e.key, e.column, e.value);
        break;
      case 'require':
        b.require(e.table, e.key, e.condition);
        break;
    }
  }
  return b.build();
}

// --- checks -----------------------------------------------------------------------------------

/** A version's whole content: every row in position order and each dictionary's strings in code order. */
function dump(s: Snapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { version: s.version };
  for (const t of [N, J]) out[t] = Array.from({ length: s.count(t) }, (_, i) => s.getAt(t, i));
  for (const d of DOMAINS) out[d] = Array.from({ length: s.domainSize(d) }, (_, c) => s.stringOf(d, c));
  return out;
}

/** Deep equality as toEqual sees it for row values (Object.is on numbers: -0 is not 0, NaN is NaN). */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Deep equality with toEqual's message, asked of vitest only when the fast check finds a difference. */
function expectSame(actual: unknown, expected: unknown, label: string): void {
  if (!same(actual, expected)) expect(actual, label).toEqual(expected);
}

/** A version equals the model: count, every row by position and by key, absent keys. */
function expectModel(s: Snapshot, m: Model, label: string): void {
  for (const g of GENS) {
    const t = m.t(g.name);
    const rows = t.rows.map((_, i) => t.row(i));
    const absent = [...g.keys, ...g.never].filter((k) => t.positionOf(k) < 0);
    expectSame(
      {
        count: s.count(g.name),
        rows: rows.map((_, i) => s.getAt(g.name, i)),
        byKey: rows.map((r) => s.get(g.name, r.id as Key)),
        absent: absent.map((k) => s.get(g.name, k)),
      },
      { count: rows.length, rows, byKey: rows, absent: absent.map(() => null) },
      `${label}: ${g.name}`,
    );
  }
}

// --- the property -----------------------------------------------------------------------------

const reach = new Reach();
/** What the runs exercised of batches, besides what every model run counts. */
const batchReach = {
  applied: 0,
  written: 0,
  /** Refusals by code and what was refused. */
  refusals: new Set<string>(),
  /** Things the committed batches did (see events). */
  events: new Set<string>(),
  failedAfterChange: 0,
  effects: new Map<string, number>(),
  replayed: 0,
  replayedViaBytes: 0,
};

/** The successful batches of a run in order, each with the version it left. */
type Recorded = { batch: Batch; version: number }[];
/** The content of every version of a run. */
type Versions = Map<number, Record<string, unknown>>;

/** Runs one batch command against the store and the model; returns the model and version after it. */
function runBatch(
  store: Store,
  cmd: BatchCmd,
  model: Model,
  version: number,
  recorded: Recorded,
  versions: Versions,
): { model: Model; version: number } {
  // Make each operation concrete against the state the ones before it leave.
  const after = model.clone();
  events = [];
  const effects: Effect[] = [];
  let failure: { code: StateErrorCode; at: number } | null = null;
  let changed = false;
  for (const op of cmd.ops) {
    const e = concrete(after, op);
    effects.push(e);
    if (failure !== null) continue;
    try {
      if (after.apply(e)) changed = true;
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      failure = { code: err.code, at: effects.length - 1 };
      batchReach.refusals.add(`${err.code} ${err.why}`.trim());
    }
  }
  if (cmd.via === 'apply') batchReach.applied++;
  else batchReach.written++;
  let txBatch: Batch | null = null;
  const run =
    cmd.via === 'apply'
      ? () => {
          const b = build(effects);
          expectSame(b.effects, effects, 'the built batch is the effects given');
          const v = store.apply(b);
          txBatch = b;
          return v;
        }
      : () =>
          store.write((tx) => {
            for (const e of effects) runOnTx(tx, e);
            txBatch = tx.batch;
          });
  if (failure !== null) {
    const before = store.read(dump);
    const what = `batch ${JSON.stringify(effects.map((e) => e.op))} failing at ${failure.at}`;
    const err = expectRefused(store, reach, run, failure.code, what);
    // Where the error names its operation, it is the failing effect.
    if (err.details.op !== undefined)
      expect(err.details.op, `${what}: the failing effect's index`).toBe(failure.at);
    expectSame(store.read(dump), before, `${what}: changes nothing`);
    if (failure.at > 0) batchReach.failedAfterChange++;
    return { model, version };
  }
  const v = run();
  expectSame(txBatch!.effects, effects, 'the recorded batch is the effects given');
  expect(v).toBe(changed ? version + 1 : version);
  if (changed) reach.commits++;
  else reach.noChange++;
  recorded.push({ batch: txBatch!, version: v });
  versions.set(v, store.read(dump));
  for (const e of effects) batchReach.effects.set(e.op, (batchReach.effects.get(e.op) ?? 0) + 1);
  for (const e of events) batchReach.events.add(e);
  if (cmd.via === 'write' && effects.some((e) => e.op === 'updateAt' || e.op === 'deleteAt'))
    batchReach.events.add('positional effects written');
  return { model: after, version: v };
}

/** Applies every successful batch in order to a fresh store, half of them through bytes. */
function replay(recorded: Recorded, versions: Versions): void {
  const fresh = Store.create(SCHEMA, OPTIONS);
  try {
    expect(fresh.version).toBe(versions.keys().next().value);
    recorded.forEach(({ batch: b, version: v }, k) => {
      let replayed = b;
      if (k % 2 === 0) {
        const decoded = decodeBatch(encodeBatch(b, v));
        expect(decoded.version).toBe(v);
        replayed = decoded.batch;
        batchReach.replayedViaBytes++;
      }
      expect(fresh.apply(replayed), `replay of batch ${k}`).toBe(v);
      expectSame(fresh.read(dump), versions.get(v), `replay of batch ${k}: the content of v${v}`);
      batchReach.replayed++;
    });
  } finally {
    fresh.close();
  }
}

function runCommands(cmds: readonly (BatchCmd | SnapshotCmd)[]): void {
  const recorded: Recorded = [];
  const versions: Versions = new Map();
  runModel(cmds, reach, SCHEMA, OPTIONS, new Model(), (store) => {
    versions.set(store.version, store.read(dump));
    return {
      batch: (cmd, model, version) => runBatch(store, cmd, model, version, recorded, versions),
      check: expectModel,
      // The whole content of the pinned version, compared again at release.
      hold: (snap) => versions.get(snap.version)!,
      release: ({ snap, version, kept }) => expectSame(dump(snap), kept, `pinned v${version} at release`),
      rows: (model) => Math.max(...GENS.map((g) => model.t(g.name).rows.length)),
    };
  });
  replay(recorded, versions);
}

describe('effect batches over every column type (model-based)', () => {
  it('apply and write batches as the model predicts, fail atomically, and replay identically', () => {
    checkModel(cmdsArb, runCommands, 80);
    reach.expectReached({
      runs: 80,
      commits: 1000,
      failed: [
        'DUPLICATE_KEY',
        'INVALID_BATCH',
        'KEY_NOT_FOUND',
        'KEY_UPDATE',
        'NULL_NOT_ALLOWED',
        'OUT_OF_RANGE',
        'PRECONDITION_FAILED',
        'ROW_OUT_OF_RANGE',
        'STRING_TOO_LONG',
        'TYPE_MISMATCH',
        'UNKNOWN_COLUMN',
      ],
      maxHeld: 5,
      heldAcrossCommits: 2000,
    });
    expect(reach.noChange, 'batches that changed nothing published no version').toBeGreaterThan(20);
    expect(batchReach.applied).toBeGreaterThan(500);
    expect(batchReach.written).toBeGreaterThan(500);
    const refusals = [
      'PRECONDITION_FAILED exists',
      'PRECONDITION_FAILED absent',
      'PRECONDITION_FAILED equals',
      'PRECONDITION_FAILED in',
      'PRECONDITION_FAILED equals of no row',
      'PRECONDITION_FAILED notEquals',
      'PRECONDITION_FAILED lt',
      'PRECONDITION_FAILED gt',
      'PRECONDITION_FAILED lt of no row',
      'INVALID_BATCH ordered bool',
      'INVALID_BATCH ordered list',
      'INVALID_BATCH ordered null',
      'PRECONDITION_FAILED ordered null cell',
      'OUT_OF_RANGE int8',
      'OUT_OF_RANGE uint32',
      'OUT_OF_RANGE int64',
      'OUT_OF_RANGE timestamp',
      'OUT_OF_RANGE key',
      'OUT_OF_RANGE increment int8',
      'OUT_OF_RANGE increment uint32',
      'OUT_OF_RANGE increment int64',
      'TYPE_MISMATCH increment null',
      'TYPE_MISMATCH increment by',
      'TYPE_MISMATCH increment bool',
      'TYPE_MISMATCH list effect',
      'TYPE_MISMATCH int8',
      'TYPE_MISMATCH dictionary',
      'TYPE_MISMATCH utf8',
      'TYPE_MISMATCH list',
      'TYPE_MISMATCH struct',
      'NULL_NOT_ALLOWED int8',
      'NULL_NOT_ALLOWED list',
      'UNKNOWN_COLUMN res.gpu',
      'KEY_UPDATE increment',
    ];
    expect(
      refusals.filter((r) => !batchReach.refusals.has(r)),
      'refusals never seen',
    ).toEqual([]);
    expect(
      batchReach.failedAfterChange,
      'batches failed after earlier effects had changed rows',
    ).toBeGreaterThan(200);
    expect([...batchReach.effects.keys()].sort()).toEqual([
      'delete',
      'deleteAt',
      'increment',
      'insert',
      'listAdd',
      'listRemove',
      'require',
      'update',
      'updateAt',
      'upsert',
    ]);
    expect([...batchReach.events].sort()).toEqual([
      'float64 -0',
      'float64 NaN',
      'increment float64',
      'increment int32',
      'increment int64',
      'increment int8',
      'increment timestamp',
      'increment uint32',
      'listAdd changes nothing',
      'listRemove changes nothing',
      'listRemove removes copies',
      'positional effects written',
      'require equals holds',
      'require gt holds',
      'require gte holds',
      'require in holds',
      'require lt holds',
      'require lte holds',
      'require notEquals holds',
      'require ordered strings',
      'timestamp Date',
      'upsert inserts',
      'upsert updates',
    ]);
    expect(batchReach.replayed, 'every successful batch was replayed').toBe(reach.commits + reach.noChange);
    expect(batchReach.replayedViaBytes).toBeGreaterThanOrEqual(batchReach.replayed / 2);
  });
});
