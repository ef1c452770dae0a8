import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  executeQuery,
  mergePartials,
  type QueryPartial,
  queryGroupCount,
  runQuery,
} from '../../src/index.js';
import { dataArb, storeOf } from '../support/query-data.js';
import { naiveQuery } from '../support/query-naive.js';
import { planArb } from '../support/query-plans.js';

// The engine against a naive evaluator over plain rows: random data (every column type, nulls,
// all-null columns, empty tables, deleted rows) and random plans (filters, top-k, group-by, joins),
// run whole and split into random row-group ranges whose partials cross a structured clone, as
// they would coming back from a worker.
describe('queries equal a naive evaluation over snapshot rows', () => {
  it('whole and split into parts', () => {
    fc.assert(
      fc.property(dataArb, planArb, fc.array(fc.nat(8), { maxLength: 4 }), (data, plan, cuts) => {
        const store = storeOf(data);
        try {
          store.read((snap) => {
            const expected = naiveQuery(snap, plan);
            const whole = runQuery(snap, plan);
            expect(whole.version).toBe(snap.version);
            expect(whole.rows).toEqual(expected);

            const groups = queryGroupCount(snap, plan);
            const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, groups)), groups])].sort(
              (a, b) => a - b,
            );
            const parts: QueryPartial[] = [];
            for (let k = 0; k + 1 < bounds.length; k++) {
              const part = executeQuery(snap, structuredClone(plan), {
                groupStart: bounds[k]!,
                groupEnd: bounds[k + 1]!,
              });
              parts.push(structuredClone(part));
            }
            if (parts.length === 0) parts.push(executeQuery(snap, plan, { groupStart: 0, groupEnd: 0 }));
            expect(mergePartials(plan, parts).rows).toEqual(expected);
          });
        } finally {
          store.close();
        }
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });
});
