// The cluster helpers on 10,000 nodes and 1,000,000 tasks (ACS_BENCH_TASKS to change), loaded with
// tx.load from Arrow batches: findAvailableNodeForTask, getClusterStatusSummary and
// getTaskExecutionMetrics on a live store, and on the same state in a persistence folder (a
// checkpoint written by writeCheckpoint): the first call (reads the folder) and later calls on the
// unchanged folder (the cached state). Medians of ROUNDS calls.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  clearStateFolderCache,
  clusterSchema,
  findAvailableNodeForTask,
  folderLoads,
  getClusterStatusSummary,
  getTaskExecutionMetrics,
  type StateSource,
  Store,
} from '../src/index.js';
import { writeCheckpoint } from '../src/persist/checkpoint/index.js';
import { cidPool, nodeRow, prng, T0, taskId, taskRow } from './support/cluster-data.js';
import { taskBatch } from './support/task-arrow.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const CONTENT = 100_000;
const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 15);
const FIRST_ROUNDS = Number(process.env.ACS_BENCH_FIRST_ROUNDS ?? 3);
const BATCH = 100_000;

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const log = (msg: string) => console.error(`[${fmt(performance.now() / 1000, 1)} s] ${msg}`);

const store = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
const rand = prng(42);
const pool = cidPool(CONTENT);
store.write((tx) => {
  for (let i = 0; i < NODES; i++) tx.insert('nodes', nodeRow(i, rand, NODES));
  for (const cid of pool) {
    tx.insert('content', {
      cid,
      size: 1 + rand(2 ** 30),
      providers: [`node-${rand(NODES)}`],
      pin_status: 'pinned',
      replication_factor: 1,
    });
  }
  tx.setMeta('cluster_id', 'bench');
  tx.setMeta('master_id', 'node-0');
  tx.setMeta('updated_at', T0);
  tx.setMeta('state_version', 1);
});
let pending = '';
for (let from = 0; from < TASKS; from += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, TASKS - from) }, (_, k) =>
    taskRow(from + k, rand, false, NODES, pool),
  );
  if (pending === '') pending = rows.find((r) => r.status === 'pending')?.task_id ?? '';
  const batch = taskBatch(rows);
  store.write((tx) => tx.load('tasks', batch));
}
if (pending === '') pending = taskId(0);
log(
  `loaded ${fmt(NODES)} nodes, ${fmt(CONTENT)} content rows and ${fmt(store.read((s) => s.count('tasks')))} tasks`,
);

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'acs-bench-helpers-'));
const w = store.read((snap) => writeCheckpoint(folder, snap, { format: 'feather', keep: 1 }));
log(`checkpoint written: ${fmt(w.bytes / 2 ** 20, 1)} MiB in ${fmt(w.ms)} ms`);

const helpers: [string, (s: StateSource) => Promise<unknown>][] = [
  ['findAvailableNodeForTask', (s) => findAvailableNodeForTask(s, pending)],
  ['getClusterStatusSummary', getClusterStatusSummary],
  ['getTaskExecutionMetrics', getTaskExecutionMetrics],
];

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const lines: string[] = [];
try {
  for (const [name, fn] of helpers) {
    await fn(store); // warm-up (JIT)
    const live: number[] = [];
    for (let r = 0; r < ROUNDS; r++) live.push(await time(() => fn(store)));
    const first: number[] = [];
    const cached: number[] = [];
    for (let r = 0; r < FIRST_ROUNDS; r++) {
      clearStateFolderCache();
      const loads = folderLoads();
      first.push(await time(() => fn(folder)));
      if (folderLoads() !== loads + 1) throw new Error('the first call did not read the folder');
    }
    const loads = folderLoads();
    for (let r = 0; r < ROUNDS; r++) cached.push(await time(() => fn(folder)));
    if (folderLoads() !== loads) throw new Error('a cached call read the folder again');
    const line = `${name.padEnd(26)} live ${fmt(median(live), 2).padStart(8)} ms   folder first ${fmt(median(first)).padStart(6)} ms   folder cached ${fmt(median(cached), 2).padStart(8)} ms`;
    log(line);
    lines.push(line);
  }
} finally {
  clearStateFolderCache();
  fs.rmSync(folder, { recursive: true, force: true });
}
console.log(
  `\nCluster helpers, ${fmt(NODES)} nodes and ${fmt(TASKS)} tasks, medians (live and cached of ${ROUNDS} calls, first of ${FIRST_ROUNDS}), Node ${process.version}\n`,
);
for (const l of lines) console.log(l);
store.close();
