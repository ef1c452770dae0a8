// The process the durability benchmark kills: loads the cluster (10,000 nodes, TASKS tasks), writes
// a checkpoint, submits UPDATES single-task updates as durable batches, prints "done", and waits to
// be killed with SIGKILL, so that the next open must load that checkpoint and replay the log after it.
import { batch, clusterSchema, StateRuntime } from '../../src/index.js';
import { prng, taskId } from './cluster-data.js';
import { clusterBatches } from './cluster-load.js';

const [folder, tasksArg, updatesArg] = process.argv.slice(2) as [string, string, string];
const TASKS = Number(tasksArg);
const UPDATES = Number(updatesArg);
const rt = await StateRuntime.start(clusterSchema, {
  persistPath: folder,
  readers: 0,
  maxBytes: 16 * 2 ** 30,
  maxBatchBytes: 64 * 2 ** 20,
});
for (const b of clusterBatches(TASKS, { rows: 50_000 })) await rt.submit(b);
await rt.checkpoint();
const rand = prng(7);
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
