// Checkpoints of the cluster schema: 10,000 nodes and 1,000,000 tasks (ACS_BENCH_TASKS to change),
// loaded with tx.load from Arrow batches. For each format: the time and size of writeCheckpoint
// (encode, write, fsync, rename, manifest) and of restoreCheckpoint (read, verify, decode, and
// tx.load into a fresh store). Medians of ROUNDS runs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterSchema, Store } from '../src/index.js';
import {
  loadCheckpoint,
  loadInto,
  type ParquetCompression,
  type PersistFormat,
  writeCheckpoint,
} from '../src/persist/checkpoint/index.js';
import { loadCluster } from './support/cluster-load.js';
import { fmt, log, median } from './support/report.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 3);
const BATCH = 100_000;

const store = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
loadCluster(store, TASKS, { nodes: NODES, rows: BATCH });
log(`loaded ${fmt(NODES)} nodes and ${fmt(store.read((s) => s.count('tasks')))} tasks`);

const configs: [string, PersistFormat, ParquetCompression | undefined][] = [
  ['feather (uncompressed)', 'feather', undefined],
  ['parquet (snappy, default)', 'parquet', 'snappy'],
  ['parquet (zstd)', 'parquet', 'zstd'],
];
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'acs-bench-ckpt-'));
const snap = store.snapshot();
const results: string[] = [];
try {
  for (const [label, format, parquetCompression] of configs) {
    const dir = path.join(root, format + (parquetCompression ?? ''));
    const write: number[] = [];
    const read: number[] = [];
    const load: number[] = [];
    let sizes = '';
    for (let r = 0; r < ROUNDS; r++) {
      const w = writeCheckpoint(dir, snap, {
        format,
        keep: 1,
        ...(parquetCompression ? { parquetCompression } : {}),
      });
      write.push(w.ms);
      sizes = `${fmt(w.bytes / 2 ** 20, 1)} MiB (${w.files.map((f) => `${f.table} ${fmt(f.bytes / 2 ** 20, 1)}`).join(', ')})`;
      const t0 = performance.now();
      const loaded = loadCheckpoint(dir, clusterSchema)!;
      const t1 = performance.now();
      const fresh = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
      loadInto(fresh, loaded);
      const t2 = performance.now();
      if (fresh.read((s) => s.count('tasks')) !== TASKS) throw new Error('restore lost rows');
      fresh.close();
      read.push(t1 - t0);
      load.push(t2 - t1);
      log(
        `${label} round ${r + 1}: write ${fmt(w.ms)} ms, read+verify+decode ${fmt(t1 - t0)} ms, tx.load ${fmt(t2 - t1)} ms`,
      );
    }
    const restore = read.map((x, i) => x + load[i]!);
    results.push(
      `${label}: checkpoint ${fmt(median(write))} ms, ${sizes}; restore ${fmt(median(restore))} ms (read+verify+decode ${fmt(median(read))} ms, tx.load ${fmt(median(load))} ms)`,
    );
  }
} finally {
  snap.release();
  fs.rmSync(root, { recursive: true, force: true });
  store.close();
}
console.log(`checkpoint of ${fmt(NODES)} nodes + ${fmt(TASKS)} tasks, medians of ${ROUNDS}:`);
for (const line of results) console.log(`  ${line}`);
