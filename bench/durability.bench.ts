// Durability on the cluster schema: durable submits per second and their latency under 'always'
// (group commit, two producer threads) and 'interval'; the writer's commit latency with and without
// a checkpoint running; recovery from a checkpoint of 10,000 nodes and TASKS tasks plus UPDATES log
// records of single-task updates (the process killed with SIGKILL first). Medians; 2 cores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { batch, clusterSchema, StateRuntime } from '../src/index.js';
import { nextMessage, startWorker } from '../test/support/workers.js';
import { clusterBatches } from './support/cluster-load.js';
import { crashedFolder } from './support/crashed-folder.js';
import { fmt, log } from './support/report.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const UPDATES = Number(process.env.ACS_BENCH_UPDATES ?? 100_000);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const rows: [string, string][] = [];
const folders: string[] = [];
const folder = () => {
  const f = mkdtempSync(join(tmpdir(), 'acs-bench-durable-'));
  folders.push(f);
  return f;
};

/** Node heartbeats from `n` producer threads: per producer `count` sequential submits under `policy`. */
async function producers(
  rt: StateRuntime,
  n: number,
  count: number,
  policy: 'durable' | 'visible',
): Promise<{ perSecond: number; us: number[] }> {
  const ws: Worker[] = Array.from({ length: n }, () =>
    startWorker(new URL('./workers/durable-producer.ts', import.meta.url), {
      handle: rt.handle(),
      count,
      policy,
    }),
  );
  const t0 = performance.now();
  const replies = await Promise.all(ws.map((w) => nextMessage<{ us: number[] }>(w)));
  const s = (performance.now() - t0) / 1000;
  await Promise.all(ws.map((w) => w.terminate()));
  return { perSecond: (n * count) / s, us: replies.flatMap((r) => r.us) };
}

for (const durability of ['always', 'interval'] as const) {
  const rt = await StateRuntime.start(clusterSchema, {
    persistPath: folder(),
    durability,
    readers: 0,
    maxBatchBytes: 64 * 2 ** 20,
  });
  // Under 'always' the tasks too, so that the checkpoint below is of the full state.
  const tasks = durability === 'always' ? TASKS : 0;
  for (const b of clusterBatches(tasks, { seed: 1, rows: 50_000 })) await rt.submit(b, { policy: 'visible' });
  log(`loaded 10,000 nodes and ${fmt(tasks)} tasks`);
  for (const n of [1, 2]) {
    // Under 'interval' a submit resolves when visible; the log catches up every syncIntervalMs.
    const policy = durability === 'always' ? 'durable' : 'visible';
    const r = await producers(rt, n, durability === 'always' ? 1000 : 5000, policy);
    rows.push([
      `heartbeats resolved when ${policy}, durability ${durability}, ${n} producer${n > 1 ? 's' : ''} (one at a time each)`,
      `${fmt(r.perSecond)} batches/s; latency median ${fmt(pct(r.us, 0.5))} µs, p99 ${fmt(pct(r.us, 0.99))} µs`,
    ]);
    log(rows.at(-1)!.join(': '));
  }
  if (durability === 'always') {
    // The writer's commit latency (visible policy: no fsync in it) with and without a checkpoint.
    const commit = async (during: Promise<unknown> | null) => {
      const us: number[] = [];
      let go = true;
      void during?.then(() => {
        go = false;
      });
      for (let i = 0; i < (during === null ? 3000 : 1e9) && go; i++) {
        const t0 = performance.now();
        await rt.submit(batch().update('nodes', `node-${i % 10_000}`, { tasks_assigned: i }), {
          policy: 'visible',
        });
        us.push((performance.now() - t0) * 1000);
      }
      return us;
    };
    const quiet = await commit(null);
    const t0 = performance.now();
    const busy = await commit(rt.checkpoint());
    log(`checkpoint of ${fmt(TASKS)} tasks (Feather) took ${fmt(performance.now() - t0)} ms`);
    rows.push([
      `commit latency (visible), no checkpoint / during a checkpoint of ${fmt(TASKS)} tasks`,
      `p99 ${fmt(pct(quiet, 0.99))} / ${fmt(pct(busy, 0.99))} µs, max ${fmt(Math.max(...quiet))} / ${fmt(Math.max(...busy))} µs (${busy.length} commits during it)`,
    ]);
    log(rows.at(-1)!.join(': '));
  }
  await rt.close();
}

// Recovery: a checkpoint plus UPDATES log records, after a SIGKILL.
{
  const f = folder();
  log(`child: loading ${fmt(TASKS)} tasks, checkpoint, ${fmt(UPDATES)} durable updates`);
  await crashedFolder(f, TASKS, UPDATES);
  const t0 = performance.now();
  const rt = await StateRuntime.start(clusterSchema, { persistPath: f, readers: 0, maxBytes: 16 * 2 ** 30 });
  const ms = performance.now() - t0;
  const r = rt.recovery!;
  rows.push([
    `recovery: checkpoint of ${fmt(TASKS)} tasks + ${fmt(r.replayed)} log records`,
    `${fmt(ms)} ms to a running runtime (load ${fmt(r.loadMs)} ms, replay ${fmt(r.replayMs)} ms)`,
  ]);
  log(rows.at(-1)!.join(': '));
  await rt.close();
}
for (const f of folders) rmSync(f, { recursive: true, force: true });

console.log(`\nDurability, Node ${process.version}, 2 cores, /tmp on this machine's disk\n`);
console.log('| measure | result |');
console.log('|---|---|');
for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
process.exit(0);
