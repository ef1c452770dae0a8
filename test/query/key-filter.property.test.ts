import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type QueryPlan, query, queryRowEstimate, runQuery } from '../../src/index.js';
import type { Expr } from '../../src/query/plan.js';
import { dataArb, OWNERS, storeOf } from '../support/query-data.js';
import { naiveQuery } from '../support/query-naive.js';

// A filter that pins the primary key reads only the row groups of the rows the key locator finds.
// Against the naive evaluator: key equalities and `in` lists (keys present, deleted, never there,
// repeated, a fraction), alone, inside `and` with another condition, and in shapes that
// must NOT narrow the scan (`or` with a non-key condition, `not`), on an integer key (items.id,
// with rows deleted so that rows move) and a string key (owners.name).
const idArb = fc.oneof(fc.integer({ min: -2, max: 45 }), fc.constant(-0), fc.constant(2.5));
const nameArb = fc.constantFrom(...OWNERS, 'nobody', '');

function pinArb(column: string): fc.Arbitrary<Expr> {
  const lit: fc.Arbitrary<number | string> = column === 'id' ? idArb : nameArb;
  return fc.oneof(
    lit.map((value): Expr => ({ op: 'eq', column, value })),
    fc.array(lit, { maxLength: 5 }).map((values): Expr => ({ op: 'in', column, values })),
  );
}

function whereArb(column: string, other: Expr): fc.Arbitrary<Expr> {
  const pin = pinArb(column);
  return fc.oneof(
    pin,
    fc.tuple(pin, pin).map(([a, b]): Expr => ({ op: 'and', args: [a, other, b] })),
    pin.map((a): Expr => ({ op: 'and', args: [other, a] })),
    pin.map((a): Expr => ({ op: 'or', args: [a, other] })),
    pin.map((a): Expr => ({ op: 'not', arg: a })),
  );
}

const itemsPlan = fc
  .tuple(
    whereArb('id', { op: 'gte', column: 'res.cpu', value: 1 }),
    fc.constantFrom('rows', 'groups', 'topk'),
  )
  .map(([where, shape]): QueryPlan => {
    const q = query('items').where(where);
    if (shape === 'rows') return q.select('id', 'cat').build();
    if (shape === 'groups')
      return q
        .groupBy('cat')
        .aggregate({ n: { fn: 'count' } })
        .build();
    return q.orderBy('u16', 'desc').limit(3).select('id', 'u16').build();
  });

const ownersPlan = whereArb('name', { op: 'eq', column: 'tier', value: 'gold' }).map(
  (where): QueryPlan => query('owners').where(where).select('name', 'tier').build(),
);

describe('a filter that pins the primary key', () => {
  it('keeps exactly the rows a full evaluation keeps', () => {
    fc.assert(
      fc.property(dataArb, itemsPlan, ownersPlan, (data, items, owners) => {
        const store = storeOf(data);
        try {
          store.read((snap) => {
            for (const plan of [items, owners])
              expect(runQuery(snap, plan).rows).toEqual(naiveQuery(snap, plan));
          });
        } finally {
          store.close();
        }
      }),
      { seed: 20261130, numRuns: 400 },
    );
  });

  it('is estimated by the row groups of the rows it finds', () => {
    const store = storeOf({
      items: Array.from({ length: 40 }, () => ({
        i8: null,
        u16: 0,
        i32: null,
        u32: null,
        big: null,
        f32: null,
        f64: 0,
        flag: null,
        ts: null,
        cat: null,
        owner: 'own-1',
        text: null,
        tags: null,
        res: { cpu: 0, mem: null, ok: true },
      })),
      deletes: [],
      owners: [{ name: 'own-1', tier: 'gold', score: null, weight: 0n, active: null, note: null }],
    });
    try {
      store.read((snap) => {
        const estimate = (where: Expr, join = false) => {
          let q = query('items').where(where);
          if (join) q = q.join('owners', 'owner', { as: 'o' });
          return queryRowEstimate(snap, q.build());
        };
        // Groups of 8 rows: ids 1 and 3 share a group, 20 is in another, 99 is no row.
        expect(estimate({ op: 'eq', column: 'id', value: 3 })).toBe(8);
        expect(estimate({ op: 'in', column: 'id', values: [1, 3, 20, 99] })).toBe(16);
        expect(estimate({ op: 'eq', column: 'id', value: 99 })).toBe(0);
        // Of two pins in one `and`, the narrower bounds the scan.
        const wide: Expr = { op: 'in', column: 'id', values: [1, 20, 30] };
        expect(estimate({ op: 'and', args: [wide, { op: 'eq', column: 'id', value: 3 }] })).toBe(8);
        expect(estimate({ op: 'gte', column: 'id', value: 3 })).toBe(40);
        expect(estimate({ op: 'eq', column: 'id', value: 3 }, true)).toBe(9);
      });
    } finally {
      store.close();
    }
  });
});
