/** Random query plans over the schema of query-data.ts: filtered rows, top-k and group-by, each with or without a join. */
import fc from 'fast-check';
import { type QueryPlan, query } from '../../src/index.js';
import type { Aggregate, Expr, Literal } from '../../src/query/plan.js';
import { bigArb, CATS, OWNERS, quarter, TAGS, TEXTS, TIERS, tsArb } from './query-data.js';

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
