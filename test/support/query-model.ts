/**
 * The reference of the query tests: a small schema with every column type, random rows for it,
 * random plans over it, and a naive evaluator that answers a plan from plain row objects read with
 * `snapshot.getAt` / `snapshot.get`, written for clarity, not speed.
 */
import fc from 'fast-check';
import {
  bool,
  dictionary,
  float32,
  float64,
  int8,
  int32,
  int64,
  list,
  type QueryPlan,
  query,
  type Row,
  type Snapshot,
  Store,
  schema,
  struct,
  table,
  timestamp,
  uint16,
  uint32,
  utf8,
} from '../../src/index.js';
import type { Aggregate, Expr, Literal } from '../../src/query/plan.js';
import { compareStrings } from '../../src/store/compare.js';

export const querySchema = schema([
  table(
    'items',
    {
      id: int32(),
      i8: int8({ nullable: true }),
      u16: uint16(),
      i32: int32({ nullable: true }),
      u32: uint32({ nullable: true }),
      big: int64({ nullable: true }),
      f32: float32({ nullable: true }),
      f64: float64(),
      flag: bool({ nullable: true }),
      ts: timestamp({ nullable: true }),
      cat: dictionary('cat', { width: 8, nullable: true }),
      owner: dictionary('owner', { nullable: true }),
      text: utf8({ nullable: true }),
      tags: list(dictionary('tag'), { nullable: true }),
      res: struct({ cpu: int32(), mem: int64({ nullable: true }), ok: bool() }),
    },
    { key: 'id', rowGroupSize: 8 },
  ),
  table(
    'owners',
    {
      name: dictionary('owner'),
      tier: dictionary('tier', { width: 8 }),
      score: int32({ nullable: true }),
      weight: int64(),
      active: bool({ nullable: true }),
      note: utf8({ nullable: true }),
    },
    { key: 'name', rowGroupSize: 8 },
  ),
]);

/** Strings whose code order (first use) differs from their string order, with non-BMP ones. */
export const CATS = ['m', 'b', 'B', 'é', '😀', '\uffff', '', 'ab', 'a'];
export const OWNERS = ['own-3', 'own-1', 'own-2', 'own-0', 'own-4'];
export const TIERS = ['gold', 'bronze', 'silver'];
export const TAGS = ['x', 'y', 'z', 'w'];
const TEXTS = ['', 'a', 'b', 'ab', 'é', '😀', 'zz'];

const maybe = <T>(arb: fc.Arbitrary<T>, nullable: boolean) =>
  nullable ? fc.option(arb, { nil: null, freq: 3 }) : arb;

/** Exactly representable floats (quarters), so sums are exact in any order. */
const quarter = fc.integer({ min: -40, max: 40 }).map((x) => x / 4);
const bigArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -5n, max: 5n }),
  fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n)),
);
const tsArb = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.constantFrom(2 ** 32 - 1, 2 ** 32, -(2 ** 32)),
);

/** Per column: arbitrary values (null included when `nulls`, only null when `allNull`). */
function itemArb(allNull: ReadonlySet<string>) {
  const v = <T>(name: string, arb: fc.Arbitrary<T>, nullable = true) =>
    allNull.has(name) ? fc.constant(null) : maybe(arb, nullable);
  return fc.record({
    i8: v('i8', fc.integer({ min: -128, max: 127 })),
    u16: v('u16', fc.integer({ min: 0, max: 65535 }), false),
    i32: v('i32', fc.integer({ min: -5, max: 5 })),
    u32: v('u32', fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    big: v('big', bigArb),
    f32: v('f32', quarter),
    f64: v('f64', quarter, false),
    flag: v('flag', fc.boolean()),
    ts: v('ts', tsArb),
    cat: v('cat', fc.constantFrom(...CATS)),
    owner: v('owner', fc.constantFrom(...OWNERS)),
    text: v('text', fc.constantFrom(...TEXTS)),
    tags: v('tags', fc.array(fc.constantFrom(...TAGS), { maxLength: 3 })),
    res: fc.record({
      cpu: fc.integer({ min: 0, max: 3 }),
      mem: v('res.mem', bigArb),
      ok: fc.boolean(),
    }),
  });
}

const NULLABLE = ['i8', 'i32', 'u32', 'big', 'f32', 'flag', 'ts', 'cat', 'owner', 'text', 'tags', 'res.mem'];

/** A data set: items (0 to 40, some deleted again), owners (0 to 4 of the 5 names). */
export const dataArb = fc.subarray(NULLABLE, { maxLength: 3 }).chain((allNull) =>
  fc.record({
    items: fc.oneof(
      fc.array(itemArb(new Set(allNull)), { maxLength: 4 }),
      fc.array(itemArb(new Set(allNull)), { minLength: 10, maxLength: 40, size: 'max' }),
    ),
    deletes: fc.array(fc.nat(60), { maxLength: 8 }),
    owners: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...OWNERS.slice(0, 4)),
        tier: fc.constantFrom(...TIERS),
        score: maybe(fc.integer({ min: -3, max: 3 }), true),
        weight: bigArb,
        active: maybe(fc.boolean(), true),
        note: maybe(fc.constantFrom(...TEXTS), true),
      }),
      { selector: (o) => o.name, maxLength: 4, size: 'max' },
    ),
  }),
);

export type Data = typeof dataArb extends fc.Arbitrary<infer T> ? T : never;

/** A store holding `data` (items inserted then some deleted, so rows move). */
export function storeOf(data: Data): Store {
  const store = Store.create(querySchema, { rowGroupSize: 8 });
  store.write((tx) => {
    for (const o of data.owners) tx.insert('owners', o);
    data.items.forEach((item, id) => {
      tx.insert('items', { id, ...item } as never);
    });
    for (const d of data.deletes)
      if (d < data.items.length && tx.get('items', d) !== null) tx.delete('items', d);
  });
  return store;
}

// ---- random plans ----------------------------------------------------------------------------

type Kind = 'int' | 'big' | 'float' | 'bool' | 'ts' | 'dict' | 'text' | 'list';
const COLUMNS: Record<string, Kind> = {
  id: 'int',
  i8: 'int',
  u16: 'int',
  i32: 'int',
  u32: 'int',
  big: 'big',
  f32: 'float',
  f64: 'float',
  flag: 'bool',
  ts: 'ts',
  cat: 'dict',
  owner: 'dict',
  text: 'text',
  tags: 'list',
  'res.cpu': 'int',
  'res.mem': 'big',
  'res.ok': 'bool',
};
const JOINED: Record<string, Kind> = {
  'o.tier': 'dict',
  'o.score': 'int',
  'o.weight': 'big',
  'o.active': 'bool',
};

function literalArb(name: string, kind: Kind): fc.Arbitrary<Literal> {
  switch (kind) {
    case 'int':
      return name === 'u32' ? fc.integer({ min: 0, max: 2 ** 32 - 1 }) : fc.integer({ min: -6, max: 6 });
    case 'big':
      return bigArb;
    case 'float':
      return quarter;
    case 'bool':
      return fc.boolean();
    case 'ts':
      return tsArb;
    case 'dict':
      return fc.constantFrom(
        ...(name === 'owner' ? OWNERS : name === 'o.tier' ? TIERS : [...CATS, 'zz', 'A']),
      );
    default:
      return fc.constantFrom(...TEXTS, 'b\u0000');
  }
}

function leafArb(cols: Record<string, Kind>): fc.Arbitrary<Expr> {
  const names = Object.keys(cols);
  return fc.constantFrom(...names).chain((name): fc.Arbitrary<Expr> => {
    const kind = cols[name]!;
    if (kind === 'list') {
      return fc.oneof(
        fc.constantFrom(...TAGS, 'nope').map((v): Expr => ({ op: 'contains', column: name, value: v })),
        fc.constant<Expr>({ op: 'isNull', column: name }),
      );
    }
    const lit = literalArb(name, kind);
    return fc.oneof(
      fc
        .tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte') as fc.Arbitrary<'eq'>, lit)
        .map(([op, value]): Expr => ({ op, column: name, value })),
      fc.array(lit, { maxLength: 3 }).map((values): Expr => ({ op: 'in', column: name, values })),
      fc.tuple(lit, lit).map(([low, high]): Expr => ({ op: 'between', column: name, low, high })),
      fc.constant<Expr>({ op: 'isNull', column: name }),
    );
  });
}

function exprArb(cols: Record<string, Kind>): fc.Arbitrary<Expr> {
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb(cols),
      fc.array(tie('expr'), { maxLength: 3 }).map((args): Expr => ({ op: 'and', args })),
      fc.array(tie('expr'), { maxLength: 3 }).map((args): Expr => ({ op: 'or', args })),
      tie('expr').map((arg): Expr => ({ op: 'not', arg })),
    ),
  }));
  return expr;
}

const orderable = (cols: Record<string, Kind>) => Object.keys(cols).filter((c) => cols[c] !== 'list');

/** Random plans of every shape: filtered rows, top-k, group-by, each with or without a join. */
export const planArb: fc.Arbitrary<QueryPlan> = fc
  .record({
    join: fc.option(fc.constantFrom<'inner' | 'left'>('inner', 'left'), { nil: null }),
    shape: fc.constantFrom('rows', 'topk', 'groups'),
    seed: fc.nat(),
  })
  .chain(({ join, shape }) => {
    const cols = join === null ? COLUMNS : { ...COLUMNS, ...JOINED };
    const where = fc.option(exprArb(cols), { nil: null, freq: 2 });
    const limit = fc.option(fc.integer({ min: 0, max: 12 }), { nil: null });
    const start = (w: Expr | null) => {
      let q = query('items');
      if (join !== null) q = q.join('owners', 'owner', { as: 'o', kind: join });
      return w === null ? q : q.where(w);
    };
    const keys = fc.uniqueArray(fc.constantFrom(...orderable(cols)), { minLength: 1, maxLength: 2 });
    const dir = fc.constantFrom<'asc' | 'desc'>('asc', 'desc');
    if (shape === 'rows') {
      const selectable = [...Object.keys(cols), 'res', ...(join === null ? [] : ['o', 'o.note'])];
      return fc
        .tuple(where, fc.uniqueArray(fc.constantFrom(...selectable), { maxLength: 4 }), limit)
        .map(([w, sel, l]) => {
          let q = start(w).select(...sel);
          if (l !== null) q = q.limit(l);
          return q.build();
        });
    }
    if (shape === 'topk') {
      return fc
        .tuple(
          where,
          keys,
          fc.array(dir, { minLength: 2, maxLength: 2 }),
          limit,
          fc.uniqueArray(fc.constantFrom('id', 'cat', 'res'), { maxLength: 2 }),
        )
        .map(([w, ks, ds, l, sel]) => {
          let q = start(w).select(...sel);
          ks.forEach((k, i) => {
            q = q.orderBy(k, ds[i]!);
          });
          if (l !== null) q = q.limit(l);
          return q.build();
        });
    }
    const groupable = orderable(cols);
    const numeric = Object.keys(cols).filter(
      (c) => cols[c] === 'int' || cols[c] === 'float' || cols[c] === 'big',
    );
    const agg: fc.Arbitrary<Aggregate> = fc.oneof(
      fc.constant<Aggregate>({ fn: 'count' }),
      fc.constantFrom(...Object.keys(cols)).map((column): Aggregate => ({ fn: 'count', column })),
      fc
        .tuple(fc.constantFrom('sum', 'mean') as fc.Arbitrary<'sum'>, fc.constantFrom(...numeric))
        .map(([fn, column]): Aggregate => ({ fn, column })),
      fc
        .tuple(fc.constantFrom('min', 'max') as fc.Arbitrary<'min'>, fc.constantFrom(...groupable))
        .map(([fn, column]): Aggregate => ({ fn, column })),
    );
    return fc
      .tuple(
        where,
        fc.uniqueArray(fc.constantFrom(...groupable), { maxLength: 2 }),
        fc.array(agg, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        dir,
        limit,
      )
      .map(([w, by, aggs, ordered, d, l]) => {
        const named: Record<string, Aggregate> = {};
        aggs.forEach((a, i) => {
          named[`a${i}`] = a;
        });
        let q = start(w)
          .groupBy(...by)
          .aggregate(named);
        if (ordered) q = q.orderBy(by[0] ?? 'a0', d);
        if (l !== null) q = q.limit(l);
        return q.build();
      });
  });

// ---- the naive evaluator ---------------------------------------------------------------------

type V = Row[string];

/** The value of a column name in a row (with its joined row under the plan's alias). */
function cellOf(row: Row, name: string): V {
  const dot = name.indexOf('.');
  if (dot < 0) return row[name] ?? null;
  const parent = row[name.slice(0, dot)] as Row | null | undefined;
  if (parent === null || parent === undefined) return null;
  return cellOf(parent, name.slice(dot + 1));
}

/** Compares two non-null values the way queries define it. */
export function naiveCompare(a: V, b: Literal | V): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return (a as number) - (b as number);
}

function test(e: Expr, row: Row): boolean {
  switch (e.op) {
    case 'and':
      return e.args.every((x) => test(x, row));
    case 'or':
      return e.args.some((x) => test(x, row));
    case 'not':
      return !test(e.arg, row);
    case 'isNull':
      return cellOf(row, e.column) === null;
    case 'contains': {
      const v = cellOf(row, e.column) as string[] | null;
      return v?.includes(e.value) === true;
    }
    case 'in':
      return e.values.some((value) => test({ op: 'eq', column: e.column, value }, row));
    case 'between':
      return (
        test({ op: 'gte', column: e.column, value: e.low }, row) &&
        test({ op: 'lte', column: e.column, value: e.high }, row)
      );
    default: {
      const v = cellOf(row, e.column);
      if (v === null) return false;
      const c = naiveCompare(v, e.value);
      return { eq: c === 0, ne: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[e.op];
    }
  }
}

/** Sort order: nulls last either way, then storage order (or first appearance) on ties. */
function compareBy(a: Row, b: Row, keys: QueryPlan['orderBy'], get: (r: Row, n: string) => V): number {
  for (const k of keys) {
    const x = get(a, k.column);
    const y = get(b, k.column);
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = naiveCompare(x, y);
    if (c !== 0) return k.direction === 'desc' ? -c : c;
  }
  return 0;
}

/** Keeps the selected names of a full row, nested as the engine's rows are. */
function project(row: Row, names: readonly string[]): Row {
  const out: Row = {};
  for (const name of names) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      out[name] = row[name] ?? null;
      continue;
    }
    const parent = name.slice(0, dot);
    const src = row[parent] as Row | null;
    if (src === null) {
      out[parent] = null;
      continue;
    }
    const into = (out[parent] ?? {}) as Row;
    const leaf = name.slice(dot + 1);
    Object.assign(into, project(src, [leaf]));
    out[parent] = into;
  }
  return out;
}

/** Answers `plan` from the snapshot's rows, one plain object at a time. */
export function naiveQuery(snap: Snapshot, plan: QueryPlan): Row[] {
  const join = plan.join;
  let rows: Row[] = Array.from({ length: snap.count(plan.table) }, (_, i) => snap.getAt(plan.table, i));
  if (join !== null) {
    const joined: Row[] = [];
    for (const row of rows) {
      const key = row[join.on] as string | null;
      const other = key === null ? null : snap.get(join.table, key);
      if (other === null && join.kind === 'inner') continue;
      joined.push({ ...row, [join.as]: other });
    }
    rows = joined;
  }
  if (plan.where !== null) rows = rows.filter((r) => test(plan.where!, r));
  const limit = plan.limit ?? Number.POSITIVE_INFINITY;
  const grouped = plan.groupBy.length > 0 || Object.keys(plan.aggregates).length > 0;
  if (!grouped) {
    // Array sort is stable: ties keep storage order.
    if (plan.orderBy.length > 0) rows = [...rows].sort((a, b) => compareBy(a, b, plan.orderBy, cellOf));
    rows = rows.slice(0, Math.min(limit, rows.length));
    if (plan.select.length === 0) return rows;
    return rows.map((r) => {
      const names = plan.select.map((n) => n);
      const out = project(
        r,
        names.filter((n) => n !== join?.as && !n.startsWith(`${join?.as}.`)),
      );
      if (join !== null) {
        if (names.includes(join.as)) out[join.as] = r[join.as] ?? null;
        else {
          const mine = names
            .filter((n) => n.startsWith(`${join.as}.`))
            .map((n) => n.slice(join.as.length + 1));
          if (mine.length > 0) out[join.as] = r[join.as] === null ? null : project(r[join.as] as Row, mine);
        }
      }
      return out;
    });
  }
  const groups = new Map<string, Row[]>();
  const keyOf = (r: Row) =>
    JSON.stringify(
      plan.groupBy.map((n) => {
        const v = cellOf(r, n);
        return v === null ? 0 : [typeof v, String(v)];
      }),
    );
  for (const r of rows) {
    const k = keyOf(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  if (plan.groupBy.length === 0 && groups.size === 0) groups.set('', []);
  let out: Row[] = [...groups.values()].map((members) => {
    const row: Row = {};
    for (const n of plan.groupBy) row[n] = cellOf(members[0]!, n);
    for (const [name, a] of Object.entries(plan.aggregates)) row[name] = aggregate(a, members);
    return row;
  });
  if (plan.orderBy.length > 0)
    out = [...out].sort((a, b) => compareBy(a, b, plan.orderBy, (r, n) => r[n] ?? null));
  return out.slice(0, Math.min(limit, out.length));
}

function aggregate(a: Aggregate, rows: Row[]): V {
  if (a.fn === 'count' && a.column === undefined) return rows.length;
  const values = rows.map((r) => cellOf(r, a.column!)).filter((v) => v !== null);
  switch (a.fn) {
    case 'count':
      return values.length;
    case 'sum':
    case 'mean': {
      if (values.length === 0) return null;
      const s =
        typeof values[0] === 'bigint'
          ? values.reduce((x, y) => (x as bigint) + (y as bigint), 0n)
          : values.reduce((x, y) => (x as number) + (y as number), 0);
      return a.fn === 'sum' ? s : Number(s) / values.length;
    }
    default: {
      let best: V = null;
      for (const v of values) {
        if (best === null) best = v;
        else {
          const c = naiveCompare(v, best);
          if (a.fn === 'max' ? c > 0 : c < 0) best = v;
        }
      }
      return best;
    }
  }
}
