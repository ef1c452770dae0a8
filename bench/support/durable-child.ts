// The process the durability benchmark kills: loads the cluster (10,000 nodes, TASKS tasks), writes
// a checkpoint, submits UPDATES single-task updates as durable batches, prints "done", and waits to
// be killed with SIGKILL, so that the next open must load that checkpoint and replay the log after it.
import { batch, clusterSchema, StateRuntime } from '../../src/index.js';
import { cidPool, nodeRow, prng, taskId, taskRow } from './cluster-data.js';
import { taskBatch } from './task-arrow.js';

const [folder, tasksArg, updatesArg] = process.argv.slice(2) as [string, string, string];
const TASKS = Number(tasksArg);
const UPDATES = Number(updatesArg);
const rt = await StateRuntime.start(clusterSchema, {
  persistPath: folder,
  readers: 0,
  maxBytes: 16 * 2 ** 30,
  maxBatchBytes: 64 * 2 ** 20,
});
const rand = prng(42);
const pool = cidPool(100_000);
const nodes = batch();
for (let i = 0; i < 10_000; i++) nodes.insert('nodes', nodeRow(i, rand, 10_000));
await rt.submit(nodes);
for (let from = 0; from < TASKS; from += 50_000) {
  const rows = Array.from({ length: Math.min(50_000, TASKS - from) }, (_, k) =>
    taskRow(from + k, rand, false, 10_000, pool),
  );
  await rt.submit(batch().load('tasks', taskBatch(rows)));
}
await rt.checkpoint();
const statuses = ['running', 'completed', 'pending'];
const inFlight: Promise<number>[] = [];
for (let i = 0; i < UPDATES; i++) {
  inFlight.push(
    rt.submit(
      batch().update('tasks', taskId(rand(TASKS)), { status: statuses[rand(3)]!, priority: rand(10) }),
    ),
  );
  if (inFlight.length === 512) await Promise.all(inFlight.splice(0));
}
await Promise.all(inFlight);
process.stdout.write(`done ${rt.version}\n`);
setInterval(() => {}, 1 << 30);
