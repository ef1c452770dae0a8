// The runtime on the cluster schema: 10,000 nodes and 1,000,000 tasks (ACS_BENCH_TASKS to change).
// Submit-to-visible latency from another thread; task updates/s through the writer worker in batches
// of 1,000 (uniform and clustered keys, one and two producers) and of 1, beside the same work done
// inline in the writer's thread; attach while the writer is saturated; queries in the calling thread
// and through the reader pool. Medians; on 2 cores, three busy threads share two.
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import {
  type Batch,
  clusterSchema,
  count,
  eq,
  type QueryPlan,
  query,
  resolveWorker,
  runQuery,
  StateRuntime,
  sum,
} from '../src/index.js';
import { nextMessage, startWorker } from '../test/support/workers.js';
import { prng, taskId } from './support/cluster-data.js';
import { clusterBatches } from './support/cluster-load.js';
import { fmt, log, median } from './support/report.js';
import type { ProducerRequest } from './workers/runtime-producer.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const LOAD_ROWS = 50_000;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p99 = (xs: number[]) => sorted(xs)[Math.floor(xs.length * 0.99)]!;
const table: string[][] = [];
const row = (...cells: string[]) => table.push(cells);

/** 10,000 nodes and TASKS tasks, loaded through submits of Arrow batches (as a checkpoint would). */
async function populate(rt: StateRuntime): Promise<void> {
  for (const b of clusterBatches(TASKS, { nodes: NODES, rows: LOAD_ROWS })) await rt.submit(b);
}

function updates(rand: (n: number) => number, size: number, clustered: boolean): Batch {
  const statuses = ['running', 'completed', 'pending', 'assigned'];
  const start = rand(TASKS - size);
  return {
    effects: Array.from({ length: size }, (_, k) => ({
      op: 'update' as const,
      table: 'tasks',
      key: taskId(clustered ? start + k : rand(TASKS)),
      values: { status: statuses[rand(4)]!, priority: rand(10) },
    })),
  };
}

async function producers(rt: StateRuntime, n: number): Promise<Worker[]> {
  const ws = Array.from({ length: n }, () =>
    startWorker(new URL('./workers/runtime-producer.ts', import.meta.url), { handle: rt.handle() }),
  );
  await Promise.all(ws.map((w) => nextMessage(w, (m: { kind: string }) => m.kind === 'up')));
  return ws;
}
const ask = <T>(w: Worker, req: ProducerRequest, kind: string) => {
  const reply = nextMessage<T & { kind: string }>(w, (m) => m.kind === kind);
  w.postMessage(req);
  return reply;
};

/** Updates/s of `ws` producers each submitting `batches` batches of `size`, all at once. */
async function throughput(ws: Worker[], batches: number, size: number, clustered: boolean): Promise<number> {
  await Promise.all(
    ws.map((w, i) =>
      ask(w, { kind: 'throughput', batches, size, clustered, tasks: TASKS, seed: 100 + i }, 'ready'),
    ),
  );
  const t0 = performance.now();
  const done = ws.map((w) => nextMessage(w, (m: { kind: string }) => m.kind === 'throughput'));
  for (const w of ws) w.postMessage('go');
  await Promise.all(done);
  return (ws.length * batches * size) / ((performance.now() - t0) / 1000);
}

/** The same batches applied in the writer's own thread, with no transport: the inline rate. */
function inlineRate(rt: StateRuntime, batches: number, size: number, clustered: boolean): number {
  const rand = prng(100);
  const bs = Array.from({ length: batches }, () => updates(rand, size, clustered));
  const store = rt.client.store;
  const t0 = performance.now();
  for (const b of bs) store.apply(b);
  return (batches * size) / ((performance.now() - t0) / 1000);
}

// --- Inline: the writer in this thread, for the rates to compare with ---
log('inline runtime: loading');
const inline = await StateRuntime.start(clusterSchema, {
  writer: 'inline',
  readers: 0,
  maxBytes: 16 * 2 ** 30,
  maxBatchBytes: 64 * 2 ** 20,
});
await populate(inline);
const inlineRates = { uniform: [] as number[], clustered: [] as number[], single: [] as number[] };
for (let r = 0; r < 3; r++) {
  inlineRates.uniform.push(inlineRate(inline, 100, 1000, false));
  inlineRates.clustered.push(inlineRate(inline, 100, 1000, true));
  // Single-row transactions: the rate a scheduler writing inline gets.
  const rand = prng(5);
  const store = inline.client.store;
  const t0 = performance.now();
  for (let i = 0; i < 20_000; i++) {
    const key = taskId(rand(TASKS));
    const status = rand(2) === 0 ? 'running' : 'pending';
    store.write((tx) => tx.update('tasks', key, { status, priority: 3 }));
  }
  inlineRates.single.push(20_000 / ((performance.now() - t0) / 1000));
}
log(`inline: ${JSON.stringify(inlineRates, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
{
  // Through an inline writer from another thread (the writer applies on this thread's event loop).
  const [w] = await producers(inline, 1);
  const lat = await ask<{ us: number[] }>(w!, { kind: 'latency', n: 3000, tasks: TASKS }, 'latency');
  row(
    'inline writer, 1-update batch from a worker: latency',
    `median ${fmt(median(lat.us), 1)} µs, p99 ${fmt(p99(lat.us), 1)} µs`,
  );
  const rate = await throughput([w!], 100, 1000, false);
  row(
    'inline writer, batches of 1,000 from a worker, uniform',
    `${fmt(rate)} updates/s (${fmt(rate / median(inlineRates.uniform), 2)}x inline)`,
  );
  await ask(w!, { kind: 'close' }, 'never').catch(() => {});
}
await inline.close();

// --- The writer worker ---
log('worker runtime: loading');
const rt = await StateRuntime.start(clusterSchema, {
  writer: 'worker',
  readers: 2,
  maxBytes: 16 * 2 ** 30,
  maxBatchBytes: 64 * 2 ** 20,
});
await populate(rt);
log(`loaded: ${rt.read((s) => s.count('tasks'))} tasks, version ${rt.version}`);
const ws = await producers(rt, 2);
const lat = await ask<{ us: number[] }>(ws[0]!, { kind: 'latency', n: 3000, tasks: TASKS }, 'latency');
row(
  'writer worker, 1-update batch from another thread: submit to visible',
  `median ${fmt(median(lat.us), 1)} µs, p99 ${fmt(p99(lat.us), 1)} µs`,
);
for (const clustered of [false, true]) {
  const inlineMedian = median(clustered ? inlineRates.clustered : inlineRates.uniform);
  for (const n of [1, 2]) {
    const rates: number[] = [];
    for (let r = 0; r < 3; r++) rates.push(await throughput(ws.slice(0, n), 100, 1000, clustered));
    row(
      `writer worker, batches of 1,000, ${clustered ? 'clustered' : 'uniform'}, ${n} producer${n > 1 ? 's' : ''}`,
      `${fmt(median(rates))} updates/s = ${fmt(median(rates) / inlineMedian, 2)}x inline (${fmt(inlineMedian)}/s)`,
    );
  }
}
{
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) rates.push(await throughput(ws.slice(0, 1), 20_000, 1, false));
  const single = median(inlineRates.single);
  row(
    'writer worker, batches of 1, 1 producer',
    `${fmt(median(rates))} updates/s = ${fmt(median(rates) / single, 2)}x inline single-row transactions (${fmt(single)}/s)`,
  );
}
{
  // Attach while saturated: one producer keeps the writer busy with 1,000-update batches.
  const busy = throughput(ws.slice(0, 1), 400, 1000, false);
  await new Promise((r) => setTimeout(r, 200));
  const ms: number[] = [];
  for (let i = 0; i < 20; i++) ms.push((await ask<{ ms: number }>(ws[1]!, { kind: 'attach' }, 'attach')).ms);
  await busy;
  row(
    'attach (Store.attach) while the writer is saturated',
    `median ${fmt(median(ms), 2)} ms, p99 (max of 20) ${fmt(Math.max(...ms), 2)} ms`,
  );
}
for (const w of ws) w.postMessage({ kind: 'close' } satisfies ProducerRequest);

// --- Queries: this thread vs the pool ---
const plans: Record<string, QueryPlan> = {
  'group-by count of tasks by status': query('tasks').groupBy('status').aggregate({ tasks: count() }).build(),
  'top-100 pending by priority': query('tasks')
    .where(eq('status', 'pending'))
    .orderBy('priority', 'desc')
    .limit(100)
    .select('task_id', 'priority')
    .build(),
  'tasks joined to nodes, summed by role': query('tasks')
    .join('nodes', 'assigned_node_id', { as: 'node' })
    .groupBy('node.role')
    .aggregate({ tasks: count(), cpu: sum('resources.cpu_cores') })
    .build(),
  'tiny: one node by id (pool overhead)': query('nodes')
    .where(eq('node_id', 'node-7'))
    .select('node_id')
    .build(),
};
/** Milliseconds one call of `fn` takes. */
async function once(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * The query in this thread and in the pool, in alternating turns, so that whatever else the machine
 * does falls on both: medians of each, and the median of the pairs' differences (the overhead),
 * once warm and over the first 100 pairs. Each pool worker compiles the query path on its own: a
 * worker takes about a thousand tiny queries before its code is optimized. Warm: after up to 3,000
 * pairs or 1.5 s.
 */
async function paired(here: () => unknown, pool: () => unknown) {
  const coldDiff: number[] = [];
  const start = performance.now();
  for (let i = 0; i < 3000 && (i < 100 || performance.now() - start < 1500); i++) {
    const h = await once(here);
    const p = await once(pool);
    if (i < 100) coldDiff.push(p - h);
  }
  const hs: number[] = [];
  const ps: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < 31; i++) {
    // Which side goes first alternates too.
    let h: number;
    let p: number;
    if (i % 2 === 0) {
      h = await once(here);
      p = await once(pool);
    } else {
      p = await once(pool);
      h = await once(here);
    }
    hs.push(h);
    ps.push(p);
    diff.push(p - h);
  }
  return { here: median(hs), pool: median(ps), overhead: median(diff), coldOverhead: median(coldDiff) };
}

/** Median milliseconds of `fn` after a warm-up of at least 3 runs, then up to 300 ms. */
async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < 100 && (i < 3 || performance.now() - start < 300); i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < 15; i++) ms.push(await once(fn));
  return median(ms);
}

// The floor: a piscina pool of one worker whose task only spins for as long as the query takes here.
// What a round trip costs beyond the task is the two thread wake-ups; on this VM it grows with the
// time the calling thread sleeps.
const spinEntry = resolveWorker(new URL('./workers/spin.ts', import.meta.url));
const spinPool = new Piscina({
  filename: fileURLToPath(spinEntry.filename),
  argv: spinEntry.argv,
  minThreads: 1,
  maxThreads: 1,
  idleTimeout: Number.POSITIVE_INFINITY,
});
async function piscinaFloor(ms: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < 3000 && (i < 30 || performance.now() - start < 1000); i++) await spinPool.run(ms);
  const over: number[] = [];
  for (let i = 0; i < 31; i++) over.push((await once(() => spinPool.run(ms))) - ms);
  return median(over);
}

for (const [name, plan] of Object.entries(plans)) {
  const q = await paired(
    () => rt.read((s) => runQuery(s, plan)),
    () => rt.query(plan, { runIn: 'pool' }),
  );
  const parallel = await time(() => rt.query(plan, { runIn: 'pool', parallel: true }));
  const auto = await time(() => rt.query(plan));
  const floor = await piscinaFloor(q.here);
  const us = (ms: number) => `${fmt(ms * 1000)} µs`;
  row(
    `query: ${name}`,
    `this thread ${fmt(q.here, 3)} ms; pool ${fmt(q.pool, 3)} ms (overhead ${us(q.overhead)}; first 100 runs ${us(q.coldOverhead)}; a piscina task spinning as long: ${us(floor)}); pool, parallel ${fmt(parallel, 3)} ms; runtime.query (runIn auto) ${fmt(auto, 3)} ms`,
  );
}
await spinPool.destroy();
await rt.close();

console.log(
  `\nRuntime, ${fmt(NODES)} nodes and ${fmt(TASKS)} tasks, Node ${process.version}, 2 cores for 3+ busy threads\n`,
);
console.log('| measure | result |');
console.log('|---|---|');
for (const [a, b] of table) console.log(`| ${a} | ${b} |`);
process.exit(0);
