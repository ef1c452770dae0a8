// Transport benchmark (issue: batches from producer threads to the writer worker). Compares
// postMessage of FlatBuffers bytes (transferred) with a shared-memory ring per producer, each with
// replies per batch or coalesced, against a real consumer worker that echoes or busy-works ~3 µs per
// batch. Measures (a) one submit at a time: latency median and p99 in µs; (b) throughput with 1 and
// 2 producer threads, ~1,000 batches in flight each (64 for 1,000-update batches); (c) while (b)
// saturates the consumer, the p99 time for a postMessage ping to the consumer to be answered.
// Every mode runs in the same process side by side; ACS_BENCH_RUNS runs (default 3, fresh workers
// each) give medians, and ratios are taken within each run, then their median.
// Run: npm run bench:transport   (ACS_BENCH_MS sets the time of each throughput phase, default 600)
import { mkdirSync, writeFileSync } from 'node:fs';
import { MessageChannel, type TransferListItem, Worker } from 'node:worker_threads';
import { batch, encodeBatch, resolveWorker } from '../src/index.js';
import { createDoorbell, createRing, type RingHandle } from '../src/runtime/transport/ring.js';
import type { ConsumerRequest, LaneSetup, TransportMode } from './workers/transport-consumer.js';
import type { ProducerRequest } from './workers/transport-producer.js';

const RUNS = Number(process.env.ACS_BENCH_RUNS ?? 3);
const MS = Number(process.env.ACS_BENCH_MS ?? 600);
const RING_BYTES = 1 << 20;
const MODES: TransportMode[] = ['pm-each', 'pm-coalesce', 'ring-pm', 'ring-ring'];

const small = encodeBatch(
  batch().update('tasks', 'task-000123', { status: 'assigned', node_id: 'node-0042' }).build(),
);
const bigBatch = batch();
for (let i = 0; i < 1000; i++) {
  bigBatch.update('tasks', `task-${String(i).padStart(6, '0')}`, { status: 'running', progress: i / 1000 });
}
const big = encodeBatch(bigBatch.build());
const PAYLOADS = [
  { name: `1 update (${small.length} B)`, bytes: small.slice(), inflight: 1000 },
  { name: `1000 updates (${(big.length / 1024).toFixed(0)} KiB)`, bytes: big.slice(), inflight: 64 },
];
const WORK = [0, 3];

function start(module: string, workerData: unknown): Worker {
  const entry = resolveWorker(new URL(module, import.meta.url));
  return new Worker(entry.filename, { argv: entry.argv, workerData });
}

function next<T extends { kind: string }>(
  w: Worker,
  kind: string,
  match: (m: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: T) => {
      if (m.kind !== kind || !match(m)) return;
      w.off('message', on);
      w.off('error', reject);
      resolve(m);
    };
    w.on('message', on);
    w.once('error', reject);
  });
}

function ask<T extends { kind: string }>(
  w: Worker,
  req: ProducerRequest | ConsumerRequest,
  kind: string,
  transfer: TransferListItem[] = [],
): Promise<T> {
  const reply = next<T>(w, kind);
  w.postMessage(req, transfer);
  return reply;
}

function quantile(xs: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const median = (xs: number[]) => quantile(xs, 0.5);

/** Pings the consumer every 2 ms while `work` runs; returns the work's result and the ping times. */
async function withPings<T>(consumer: Worker, work: Promise<T>): Promise<[T, number[]]> {
  let stop = false;
  const rtts: number[] = [];
  const pinger = (async () => {
    for (let id = 0; !stop; id++) {
      const t0 = performance.now();
      await ask(consumer, { kind: 'ping', id }, 'pong');
      rtts.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const result = await work;
  stop = true;
  await pinger;
  return [result, rtts];
}

type Cell = Record<string, number>;

async function runOnce(): Promise<Map<string, Cell>> {
  const bell = createDoorbell();
  const consumer = start('./workers/transport-consumer.ts', { bell });
  const producers = [
    start('./workers/transport-producer.ts', {}),
    start('./workers/transport-producer.ts', {}),
  ];
  const cells = new Map<string, Cell>();
  for (const payload of PAYLOADS) {
    for (const spinUs of WORK) {
      for (const mode of MODES) {
        const lanes: LaneSetup[] = [];
        const transfer: TransferListItem[] = [];
        const setups: Promise<unknown>[] = [];
        for (const p of producers) {
          const { port1, port2 } = new MessageChannel();
          const ring: RingHandle | null = mode.startsWith('ring')
            ? createRing({ capacity: RING_BYTES, doorbell: bell })
            : null;
          const replyRing =
            mode === 'ring-ring' ? createRing({ capacity: 1 << 18, doorbell: createDoorbell() }) : null;
          lanes.push({ port: port1, ring, replyRing });
          transfer.push(port1);
          setups.push(ask(p, { kind: 'setup', mode, port: port2, ring, replyRing }, 'ready', [port2]));
        }
        await ask(consumer, { kind: 'setup', mode, spinUs, lanes }, 'ready', transfer);
        await Promise.all(setups);
        const thr = (p: Worker, ms: number) =>
          ask<{ kind: string; perSecond: number }>(
            p,
            { kind: 'throughput', payload: payload.bytes, inflight: payload.inflight, ms },
            'throughput',
          ).then((r) => r.perSecond);
        await thr(producers[0]!, 150); // warm-up
        const lat = await ask<{ kind: string; samples: Float64Array }>(
          producers[0]!,
          { kind: 'latency', payload: payload.bytes, ms: 300 },
          'latency',
        );
        const [thr1, ping1] = await withPings(consumer, thr(producers[0]!, MS));
        const [thr2, ping2] = await withPings(consumer, Promise.all(producers.map((p) => thr(p, MS))));
        cells.set(`${payload.name}|${spinUs}|${mode}`, {
          'latency p50 µs': quantile(lat.samples, 0.5),
          'latency p99 µs': quantile(lat.samples, 0.99),
          '1 producer msg/s': thr1,
          '2 producers msg/s': thr2[0] + thr2[1],
          'ping p99 ms, 1 producer': quantile(ping1, 0.99),
          'ping p99 ms, 2 producers': quantile(ping2, 0.99),
        });
        await ask(consumer, { kind: 'teardown' }, 'done');
        await Promise.all(producers.map((p) => ask(p, { kind: 'teardown' }, 'done')));
        process.stderr.write('.');
      }
    }
  }
  await Promise.all([consumer, ...producers].map((w) => w.terminate()));
  return cells;
}

const runs: Map<string, Cell>[] = [];
for (let r = 0; r < RUNS; r++) {
  runs.push(await runOnce());
  process.stderr.write(` run ${r + 1}/${RUNS}\n`);
}

const METRICS = Object.keys(runs[0]!.values().next().value!);
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const out: Record<string, unknown> = {
  runs: RUNS,
  ms: MS,
  cells: Object.fromEntries(runs[0]!),
  all: runs.map((r) => Object.fromEntries(r)),
};
console.log(
  `\nmedians of ${RUNS} runs; ratio = ring-ring / pm-coalesce and ring-pm / pm-each, per run, then median\n`,
);
for (const metric of METRICS) {
  console.log(`## ${metric}`);
  console.log(`| payload, work | ${MODES.join(' | ')} | ring-ring / pm-coalesce | ring-pm / pm-each |`);
  console.log(`|---|${MODES.map(() => '---').join('|')}|---|---|`);
  for (const payload of PAYLOADS) {
    for (const spinUs of WORK) {
      const key = (m: TransportMode) => `${payload.name}|${spinUs}|${m}`;
      const vals = MODES.map((m) => median(runs.map((r) => r.get(key(m))![metric]!)));
      const ratio = (a: TransportMode, b: TransportMode) =>
        median(runs.map((r) => r.get(key(a))![metric]! / r.get(key(b))![metric]!));
      console.log(
        `| ${payload.name}, ${spinUs === 0 ? 'echo' : `${spinUs} µs work`} | ${vals.map(fmt).join(' | ')} | ${ratio('ring-ring', 'pm-coalesce').toFixed(2)} | ${ratio('ring-pm', 'pm-each').toFixed(2)} |`,
      );
    }
  }
  console.log('');
}
mkdirSync('.bench-out', { recursive: true });
writeFileSync(`.bench-out/transport-${Date.now()}.json`, JSON.stringify(out, null, 1));
