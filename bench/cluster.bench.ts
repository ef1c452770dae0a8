// The ClusterState facade on 10,000 nodes and 1,000,000 tasks (ACS_BENCH_TASKS to change): addTask,
// assignTask and heartbeat per second, one at a time in this thread and from two producer threads
// in parallel; getNodeInfo latency. Beside the seed's ArrowClusterState at 3,000 tasks: 15 ms per
// add_task, 49 ms per assign_task, 6.3 ms per get_node_info, growing linearly with the tasks.
import type { Worker } from 'node:worker_threads';
import { ClusterState, eq, query, runQuery } from '../src/index.js';
import { nextMessage, startWorker } from '../test/support/workers.js';
import { clusterBatches } from './support/cluster-load.js';
import { fmt, log, median } from './support/report.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const rows: [string, string, string][] = [];

const state = await ClusterState.open({
  clusterId: 'bench',
  nodeId: 'master',
  writer: 'worker',
  readers: 0,
  runtime: { maxBatchBytes: 64 * 2 ** 20, maxBytes: 16 * 2 ** 30 },
});
for (const b of clusterBatches(TASKS, { rows: 50_000 })) await state.updateState(() => b);
log(`loaded 10,000 nodes and ${fmt(TASKS)} tasks`);
const pending = state.getState();
const pendingIds = runQuery(
  pending,
  query('tasks').where(eq('status', 'pending')).select('task_id').limit(20_000).build(),
).rows.map((r) => r.task_id as string);
pending.release();

/** Calls per second of `op`, one at a time here, `count` times. */
async function here(op: (i: number) => Promise<unknown>, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await op(i);
  return count / ((performance.now() - t0) / 1000);
}
/** Calls per second of two producer threads, each one at a time. */
async function parallel(
  op: 'addTask' | 'assignTask' | 'heartbeat',
  count: number,
  tasks: string[][],
): Promise<number> {
  const ws: Worker[] = [0, 1].map((p) =>
    startWorker(new URL('./workers/cluster-producer.ts', import.meta.url), {
      handle: state.handle(),
      op,
      count,
      offset: 1_000_000 + p * count,
      tasks: tasks[p] ?? [],
    }),
  );
  await Promise.all(ws.map((w) => nextMessage(w, (m: { ready?: boolean }) => m.ready === true)));
  const done = ws.map((w) => nextMessage(w, (m: { ms?: number }) => m.ms !== undefined));
  const t0 = performance.now();
  for (const w of ws) w.postMessage('go');
  await Promise.all(done);
  return (2 * count) / ((performance.now() - t0) / 1000);
}

const n = 2000;
const addHere = await here((i) => state.addTask({ task_id: `here-${i}`, task_type: 'pin' }), n);
const addPar = await parallel('addTask', n, []);
rows.push(['addTask', `${fmt(addHere)}/s (${fmt(1e6 / addHere)} µs each)`, `${fmt(addPar)}/s`]);
const assignHere = await here((i) => state.assignTask(pendingIds[i]!, `node-${i % 10_000}`), n);
const assignPar = await parallel('assignTask', n, [
  pendingIds.slice(n, 2 * n),
  pendingIds.slice(2 * n, 3 * n),
]);
rows.push(['assignTask', `${fmt(assignHere)}/s (${fmt(1e6 / assignHere)} µs each)`, `${fmt(assignPar)}/s`]);
const beatHere = await here((i) => state.heartbeat(`node-${(i * 13) % 10_000}`), n);
const beatPar = await parallel('heartbeat', n, []);
rows.push(['heartbeat', `${fmt(beatHere)}/s (${fmt(1e6 / beatHere)} µs each)`, `${fmt(beatPar)}/s`]);
const us: number[] = [];
for (let i = 0; i < 3000; i++) {
  const t0 = performance.now();
  await state.getNodeInfo(`node-${(i * 31) % 10_000}`);
  us.push((performance.now() - t0) * 1000);
}
rows.push(['getNodeInfo', `median ${fmt(median(us), 1)} µs`, '']);
await state.close();

console.log(
  `\nClusterState, 10,000 nodes and ${fmt(TASKS)} tasks, writer worker, Node ${process.version}, 2 cores`,
);
console.log(
  `(the seed's ArrowClusterState at 3,000 tasks: add_task 15 ms, assign_task 49 ms, get_node_info 6.3 ms)\n`,
);
console.log('| call | one at a time, this thread | two producer threads |');
console.log('|---|---|---|');
for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
process.exit(0);
