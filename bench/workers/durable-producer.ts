// A producer of bench/durability.bench.ts: `count` node heartbeats, one at a time, each awaited
// under `policy` (durable: until its record is on disk); posts the latencies in µs.
import { parentPort, workerData } from 'node:worker_threads';
import { attach, batch, type RuntimeHandle } from '../../src/index.js';

const { handle, count, policy } = workerData as {
  handle: RuntimeHandle;
  count: number;
  policy: 'durable' | 'visible';
};
const client = await attach(handle);
const us: number[] = [];
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  await client.submit(batch().update('nodes', `node-${(i * 7) % 10_000}`, { last_heartbeat: Date.now() }), {
    policy,
  });
  us.push((performance.now() - t0) * 1000);
}
parentPort!.postMessage({ us });
