import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  count,
  dictionary,
  int32,
  query,
  runQuery,
  StateRuntime,
  schema,
  sum,
  table,
} from '../../src/index.js';

const ACCOUNTS = 4000;
const BALANCE = 100;
// Small row groups: a parallel query splits the table into many parts.
const bank = schema([
  table(
    'accounts',
    { id: dictionary('account'), balance: int32(), branch: int32() },
    { key: 'id', rowGroupSize: 64 },
  ),
]);
const opening: Batch = {
  effects: Array.from({ length: ACCOUNTS }, (_, i) => ({
    op: 'insert' as const,
    table: 'accounts',
    row: { id: `acct-${i}`, balance: BALANCE, branch: i % 7 },
  })),
};
const totals = query('accounts')
  .aggregate({ total: sum('balance'), n: count() })
  .build();
const byBranch = query('accounts')
  .groupBy('branch')
  .aggregate({ total: sum('balance'), n: count() })
  .orderBy('branch', 'asc')
  .build();

/** Moves money between random accounts: every version keeps the same total. */
function transfer(rand: () => number): Batch {
  const from = `acct-${Math.floor(rand() * ACCOUNTS)}`;
  const to = `acct-${Math.floor(rand() * ACCOUNTS)}`;
  return {
    effects: [
      { op: 'increment', table: 'accounts', key: from, column: 'balance', by: -3 },
      { op: 'increment', table: 'accounts', key: to, column: 'balance', by: 3 },
    ],
  };
}

describe.each([0, 2])('queries with %i reader threads', (readers) => {
  it('read one version in every part while the writer runs: sequential, parallel and in-thread agree', async () => {
    const runtime = await StateRuntime.start(bank, { writer: 'worker', readers });
    expect(runtime.readers).toBe(readers);
    await runtime.submit(opening);
    let seed = 1;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let writing = true;
    const writes = (async () => {
      while (writing) await Promise.all(Array.from({ length: 50 }, () => runtime.submit(transfer(rand))));
    })();
    for (let i = 0; i < 10; i++) {
      const [whole, split] = await Promise.all([
        runtime.query(totals, { runIn: 'pool' }),
        runtime.query(totals, { parallel: true, runIn: 'pool' }),
      ]);
      for (const r of [whole, split]) expect(r.rows).toEqual([{ total: ACCOUNTS * BALANCE, n: ACCOUNTS }]);
      const grouped = await runtime.query(byBranch, { parallel: true, runIn: 'pool' });
      expect(grouped.rows.reduce((s, r) => s + (r.total as number), 0)).toBe(ACCOUNTS * BALANCE);
    }
    writing = false;
    await writes;
    // Quiet now: the pool's answer is the calling thread's on the same version.
    const pooled = await runtime.query(byBranch, { parallel: true, runIn: 'pool' });
    expect(pooled).toEqual(runtime.read((s) => runQuery(s, byBranch)));
    // 4,000 accounts is a small query: left to choose, the runtime runs it in this thread.
    const before = runtime.queriesRun;
    expect(await runtime.query(byBranch)).toEqual(pooled);
    expect(runtime.queriesRun).toEqual({ caller: before.caller + 1, pool: before.pool });
    await runtime.close();
  });
});

describe('a query cancelled while a pool worker runs it', () => {
  it('leaves no pin behind, and the pool answers the next query', async () => {
    const runtime = await StateRuntime.start(bank, { writer: 'inline', readers: 2 });
    await runtime.submit(opening);
    const myPins = () => runtime.client.store.stats().pins.filter((p) => p.threadId === threadId);
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const running = runtime.query(byBranch, { parallel: true, runIn: 'pool', signal: controller.signal });
      setTimeout(() => controller.abort(), i);
      await running.catch((err: Error) => expect(err.name).toMatch(/Abort/));
      expect(myPins()).toEqual([]);
    }
    expect((await runtime.query(totals, { runIn: 'pool' })).rows).toEqual([
      { total: ACCOUNTS * BALANCE, n: ACCOUNTS },
    ]);
    expect(runtime.client.store.stats().pins).toEqual([]);
    await runtime.close();
  });
});
