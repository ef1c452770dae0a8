// A producer of bench/cluster.bench.ts: attaches a ClusterState and runs one kind of call, one at a
// time, `count` times; posts how long that took.
import { parentPort, workerData } from 'node:worker_threads';
import { ClusterState, type ClusterStateHandle } from '../../src/index.js';

const { handle, op, count, offset, tasks } = workerData as {
  handle: ClusterStateHandle;
  op: 'addTask' | 'assignTask' | 'heartbeat';
  count: number;
  offset: number;
  tasks: string[];
};
const state = await ClusterState.attach(handle);
// Attached: wait for the start signal, so that thread start-up is not timed.
parentPort!.postMessage({ ready: true });
await new Promise((r) => parentPort!.once('message', r));
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  if (op === 'addTask') await state.addTask({ task_id: `bench-${offset + i}`, task_type: 'pin' });
  else if (op === 'assignTask') await state.assignTask(tasks[i]!, `node-${(offset + i) % 10_000}`);
  else await state.heartbeat(`node-${(offset + i * 7) % 10_000}`);
}
parentPort!.postMessage({ ms: performance.now() - t0 });
await state.close();
