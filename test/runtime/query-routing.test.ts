import { describe, expect, it } from 'vitest';
import {
  count,
  dictionary,
  eq,
  int32,
  type QueryPlan,
  query,
  runQuery,
  SMALL_QUERY_ROWS,
  StateError,
  StateRuntime,
  schema,
  sum,
  table,
} from '../../src/index.js';

const ROWS = SMALL_QUERY_ROWS + 2000;
const accounts = schema([
  table(
    'accounts',
    { id: dictionary('account'), balance: int32(), branch: int32() },
    { key: 'id', rowGroupSize: 64 },
  ),
]);
const scan = query('accounts')
  .groupBy('branch')
  .aggregate({ n: count(), total: sum('balance') })
  .build();
const lookup = query('accounts').where(eq('id', 'acct-4321')).select('id', 'balance').build();

describe('where a query runs', () => {
  it('small ones in the calling thread, large ones in the pool, unless told; the same answers', async () => {
    const runtime = await StateRuntime.start(accounts, { writer: 'inline', readers: 1 });
    try {
      await runtime.submit({
        effects: Array.from({ length: ROWS }, (_, i) => ({
          op: 'insert' as const,
          table: 'accounts',
          row: { id: `acct-${i}`, balance: i % 100, branch: i % 7 },
        })),
      });
      const here = (plan: QueryPlan) => runtime.read((s) => runQuery(s, plan));
      const ran = async (plan: QueryPlan, options?: Parameters<StateRuntime['query']>[1]) => {
        const before = runtime.queriesRun;
        const result = await runtime.query(plan, options);
        expect(result).toEqual(here(plan));
        const after = runtime.queriesRun;
        return { caller: after.caller - before.caller, pool: after.pool - before.pool };
      };
      expect(await ran(scan)).toEqual({ caller: 0, pool: 1 });
      expect(await ran(scan, { parallel: true })).toEqual({ caller: 0, pool: 1 });
      // The key pins one row: one row group of 64 rows to read.
      expect(await ran(lookup)).toEqual({ caller: 1, pool: 0 });
      expect(await ran(lookup, { parallel: true })).toEqual({ caller: 1, pool: 0 });
      expect(await ran(lookup, { runIn: 'pool' })).toEqual({ caller: 0, pool: 1 });
      expect(await ran(scan, { runIn: 'caller' })).toEqual({ caller: 1, pool: 0 });
      expect((await runtime.query(lookup)).rows).toEqual([{ id: 'acct-4321', balance: 21 }]);

      const before = runtime.queriesRun;
      const bad = runtime.query(scan, { runIn: 'elsewhere' as 'pool' });
      await expect(bad).rejects.toThrow(StateError);
      await expect(bad).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      // A bad plan fails as it would in a worker, before anything runs.
      const unknown = query('accounts').where(eq('nope', 1)).build();
      await expect(runtime.query(unknown)).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN' });
      expect(runtime.queriesRun).toEqual(before);
      expect(runtime.client.store.stats().pins).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
