// A producer thread of bench/runtime.bench.ts: attaches to the runtime and submits task updates on
// request, timing them itself (latency) or reporting when its pipelined batches are all answered.
import { parentPort, workerData } from 'node:worker_threads';
import { attach, type Batch, type RuntimeHandle, Store } from '../../src/index.js';
import { prng, taskId } from '../support/cluster-data.js';

export type ProducerRequest =
  | { kind: 'latency'; n: number; tasks: number }
  | { kind: 'throughput'; batches: number; size: number; clustered: boolean; tasks: number; seed: number }
  | { kind: 'attach' }
  | { kind: 'close' };

const { handle } = workerData as { handle: RuntimeHandle };
const client = await attach(handle, { maxBatchBytes: 32 * 2 ** 20 });
const STATUSES = ['running', 'completed', 'pending', 'assigned'];

/** `size` updates of random tasks, or of a run of neighbouring tasks (`clustered`). */
function updates(rand: (n: number) => number, size: number, clustered: boolean, tasks: number): Batch {
  const start = rand(tasks - size);
  return {
    effects: Array.from({ length: size }, (_, k) => ({
      op: 'update' as const,
      table: 'tasks',
      key: taskId(clustered ? start + k : rand(tasks)),
      values: { status: STATUSES[rand(4)]!, priority: rand(10) },
    })),
  };
}

// 'go' (the start signal of a throughput round) is taken by that round's own listener.
parentPort!.on('message', async (m: ProducerRequest | 'go') => {
  if (m === 'go') return;
  if (m.kind === 'latency') {
    const rand = prng(7);
    const us: number[] = [];
    for (let i = 0; i < m.n; i++) {
      const b = updates(rand, 1, false, m.tasks);
      const t0 = performance.now();
      await client.submit(b);
      us.push((performance.now() - t0) * 1000);
    }
    parentPort!.postMessage({ kind: 'latency', us });
  } else if (m.kind === 'throughput') {
    const rand = prng(m.seed);
    const batches = Array.from({ length: m.batches }, () => updates(rand, m.size, m.clustered, m.tasks));
    parentPort!.postMessage({ kind: 'ready' });
    await new Promise((r) => parentPort!.once('message', r));
    const t0 = performance.now();
    await Promise.all(batches.map((b) => client.submit(b)));
    parentPort!.postMessage({ kind: 'throughput', ms: performance.now() - t0 });
  } else if (m.kind === 'attach') {
    // A new reader attaching while the writer is busy: what a new worker of a pool waits for.
    const t0 = performance.now();
    const store = await Store.attach(handle.address.store);
    const ms = performance.now() - t0;
    store.close();
    parentPort!.postMessage({ kind: 'attach', ms });
  } else if (m.kind === 'close') {
    await client.close();
    parentPort!.close();
  }
});
parentPort!.postMessage({ kind: 'up' });
