import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidPool, nodeRow, prng, taskRow } from '../../bench/support/cluster-data.js';
import {
  clusterSchema,
  count,
  eq,
  isIn,
  max,
  mean,
  mergePartials,
  type QueryPartial,
  type QueryPlan,
  query,
  queryGroupCount,
  runQuery,
  Store,
  sum,
} from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';

// Parts executed in two worker threads at once (attached to the same store, reading the same
// version), posted back and merged, give the answer of one thread.
type Reply = { id: number; ok: boolean; partial?: QueryPartial; code?: string };

let store: Store;
let workers: Worker[] = [];
let nextId = 1;

beforeAll(async () => {
  store = Store.create(clusterSchema, { rowGroupSize: 64 });
  const rand = prng(11);
  const pool = cidPool(20);
  store.write((tx) => {
    for (let i = 0; i < 40; i++) tx.insert('nodes', nodeRow(i, rand, 40));
    for (let i = 0; i < 3000; i++) tx.insert('tasks', taskRow(i, rand, false, 45, pool));
  });
  const url = new URL('../workers/query-part.ts', import.meta.url);
  workers = [0, 1].map(() => startWorker(url, { handle: store.handle() }));
  await Promise.all(workers.map((w) => nextMessage(w)));
});

afterAll(async () => {
  await Promise.all(
    workers.map((w) => {
      const exited = new Promise((resolve) => w.once('exit', resolve));
      w.postMessage(null);
      return exited;
    }),
  );
  store.close();
});

/** Runs `plan` split into `parts` ranges, alternating between the workers, all in flight at once. */
async function inWorkers(plan: QueryPlan, parts: number): Promise<Reply[]> {
  const groups = store.read((snap) => queryGroupCount(snap, plan));
  const step = Math.max(1, Math.ceil(groups / parts));
  const pending: Promise<Reply>[] = [];
  for (let g = 0, k = 0; g < Math.max(groups, 1); g += step, k++) {
    const id = nextId++;
    const w = workers[k % workers.length]!;
    pending.push(nextMessage<Reply>(w, (m) => m.id === id));
    w.postMessage({ id, plan, range: { groupStart: g, groupEnd: Math.min(groups, g + step) } });
  }
  return Promise.all(pending);
}

describe('query parts in worker threads', () => {
  const plans: [string, QueryPlan][] = [
    [
      'group-by',
      query('tasks')
        .groupBy('status')
        .aggregate({ n: count(), p: mean('priority'), m: max('submit_time') })
        .build(),
    ],
    [
      'top-k',
      query('tasks')
        .where(isIn('status', ['pending', 'running']))
        .orderBy('priority', 'desc')
        .limit(30)
        .select('task_id', 'priority')
        .build(),
    ],
    ['rows', query('tasks').where(eq('task_type', 'ocr')).select('task_id', 'resources').build()],
    [
      'join',
      query('tasks')
        .join('nodes', 'assigned_node_id', { as: 'node', kind: 'left' })
        .groupBy('node.role')
        .aggregate({ n: count(), mem: sum('resources.memory_mb') })
        .orderBy('n', 'desc')
        .build(),
    ],
  ];
  for (const [name, plan] of plans) {
    it(`merges a ${name} query from two workers into the one-thread answer`, async () => {
      const replies = await inWorkers(plan, 5);
      expect(replies.every((r) => r.ok)).toBe(true);
      const merged = mergePartials(
        plan,
        replies.map((r) => r.partial!),
      );
      const whole = store.read((snap) => runQuery(snap, plan));
      expect(merged).toEqual(whole);
    });
  }

  it('reports a bad plan from a worker with its code', async () => {
    const id = nextId++;
    const reply = nextMessage<Reply>(workers[0]!, (m) => m.id === id);
    const plan = query('tasks').where(eq('priority', 'high')).build();
    workers[0]!.postMessage({ id, plan, range: { groupStart: 0, groupEnd: 1 } });
    expect(await reply).toMatchObject({ ok: false, code: 'INVALID_QUERY' });
  });
});
