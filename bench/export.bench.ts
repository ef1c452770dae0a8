// The shared-memory export of the cluster schema: 10,000 nodes and 1,000,000 tasks (ACS_BENCH_TASKS
// to change), loaded with tx.load from Arrow batches. Times writeExport (encode each table as an
// Arrow IPC file, write it, swap state_metadata.json, remove the previous folder) for a new version
// each round, then openExport (read the metadata and every file back as apache-arrow Tables).
// Medians of ROUNDS runs, and the files' size. Written under defaultExportRoot (/dev/shm here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clusterSchema, Store } from '../src/index.js';
import { defaultExportRoot, openExport, removeExport, writeExport } from '../src/persist/export/index.js';
import { loadCluster } from './support/cluster-load.js';
import { fmt, log, median } from './support/report.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 3);
const BATCH = 100_000;

const store = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
loadCluster(store, TASKS, { nodes: NODES, rows: BATCH });
log(`loaded ${fmt(NODES)} nodes and ${fmt(store.read((s) => s.count('tasks')))} tasks`);

const root = defaultExportRoot(`bench-export-${process.pid}`);
const refresh: number[] = [];
const open: number[] = [];
let sizes = '';
try {
  for (let r = 0; r < ROUNDS; r++) {
    // A new version each round, as the persistence worker's interval would see.
    store.write((tx) => tx.setMeta('round', r));
    const t0 = performance.now();
    const m = store.read((s) => writeExport(root, s, { incarnation: 'bench' }));
    const t1 = performance.now();
    const opened = openExport(root);
    const t2 = performance.now();
    if (opened.tables.tasks!.numRows !== TASKS) throw new Error('export lost rows');
    refresh.push(t1 - t0);
    open.push(t2 - t1);
    const total = Object.values(m.tables).reduce((a, t) => a + t.bytes, 0);
    sizes = `${fmt(total / 2 ** 20, 1)} MiB (${Object.entries(m.tables)
      .map(([name, t]) => `${name} ${fmt(t.bytes / 2 ** 20, 1)}`)
      .join(', ')})`;
    const folders = fs.readdirSync(root).filter((n) => n.startsWith('v-'));
    log(
      `round ${r + 1}: refresh ${fmt(t1 - t0)} ms, open ${fmt(t2 - t1)} ms, ${folders.length} folder(s) in ${root}`,
    );
  }
} finally {
  removeExport(root);
  try {
    fs.rmdirSync(path.dirname(root)); // arrow-cluster-state/, if no other export is in it
  } catch {}
  store.close();
}
console.log(
  `export of ${fmt(NODES)} nodes + ${fmt(TASKS)} tasks to ${path.dirname(root)}, medians of ${ROUNDS}:`,
);
console.log(
  `  refresh (writeExport) ${fmt(median(refresh))} ms, openExport ${fmt(median(open))} ms, files ${sizes}`,
);
