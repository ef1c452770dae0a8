// The scheduler's writes on the cluster model (issue 8): what one version costs when it changes
// one row, and what loading rows costs, on clusterSchema with 10,000 nodes and ACS_BENCH_TASKS
// tasks (default 1,000,000). Every single-row write is its own transaction, as a scheduler does
// them; the reported figure is the median over rounds of the mean time per transaction.
//
// Rows reach the store as they would from the network: through JSON, so their strings are flat.
// (Strings built by concatenation in the same thread are V8 "cons strings", which the first read
// flattens: loading the generator's rows directly costs about twice as much, all of it in V8.)
// Run: npm run bench:writes   (ACS_BENCH_TASKS=100000 for a quick run; ACS_BENCH_ROUNDS, _OPS)
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { clusterSchema, Store } from '../src/index.js';
import { cidPool, nodeId, nodeRow, prng, T0, taskId, taskRow } from './support/cluster-data.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const LOAD_BATCH = 10_000;
const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 15);
const OPS = Number(process.env.ACS_BENCH_OPS ?? 2_000); // transactions per round
const INSERT_TX = 10_000; // rows per insert transaction
const INSERT_ROUNDS = 8;

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const log = (msg: string) => console.error(`[${fmt(performance.now() / 1000, 1)} s] ${msg}`);

const pool = cidPool(100_000);
const store = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
const rand = prng(42);
/** `rows` as they arrive from the network: through JSON, with flat strings. */
const received = <T>(rows: T[]): T[] => JSON.parse(JSON.stringify(rows));
store.write((tx) => {
  for (const row of received(Array.from({ length: NODES }, (_, i) => nodeRow(i, rand, NODES))))
    tx.insert('nodes', row);
});
let insertMs = 0;
for (let from = 0; from < TASKS; from += LOAD_BATCH) {
  const rows = received(
    Array.from({ length: Math.min(LOAD_BATCH, TASKS - from) }, (_, k) =>
      taskRow(from + k, rand, false, NODES, pool),
    ),
  );
  const start = performance.now();
  store.write((tx) => {
    for (const row of rows) tx.insert('tasks', row);
  });
  insertMs += performance.now() - start;
}
store.reclaim();
log(
  `loaded ${fmt(TASKS)} tasks with tx.insert in ${fmt(insertMs)} ms (${fmt((insertMs * 1e6) / TASKS)} ns per row)`,
);

const pick = prng(7);
const taskKeys = Array.from({ length: 100_000 }, () => taskId(pick(TASKS)));
const nodeKeys = Array.from({ length: 100_000 }, () => nodeId(pick(NODES)));
const STATUSES = ['running', 'assigned'];
let n = 0;

/** ns per call of `op`, the median over rounds of OPS calls each. */
function measure(op: () => void): number {
  for (let i = 0; i < OPS; i++) op(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < OPS; i++) op();
    rounds.push(((performance.now() - start) * 1e6) / OPS);
  }
  return median(rounds);
}

const results: [string, number][] = [];
const cases: [string, () => void][] = [
  [
    'task update by key (status, start_time)',
    () => {
      const k = taskKeys[n++ % taskKeys.length]!;
      store.write((tx) => tx.update('tasks', k, { status: STATUSES[n & 1], start_time: T0 + n }));
    },
  ],
  [
    'heartbeat: node update by key (last_heartbeat, status)',
    () => {
      const k = nodeKeys[n++ % nodeKeys.length]!;
      store.write((tx) => tx.update('nodes', k, { last_heartbeat: T0 + n, status: 'online' }));
    },
  ],
  [
    'heartbeat with resources (+ cpu_usage, memory_available)',
    () => {
      const k = nodeKeys[n++ % nodeKeys.length]!;
      store.write((tx) =>
        tx.update('nodes', k, {
          last_heartbeat: T0 + n,
          status: 'online',
          resources: { cpu_usage: (n & 1023) / 1024, memory_available: 2 ** 33 + n },
        }),
      );
    },
  ],
  [
    'increment nodes.tasks_assigned',
    () => {
      const k = nodeKeys[n++ % nodeKeys.length]!;
      store.write((tx) => tx.increment('nodes', k, 'tasks_assigned', n & 1 ? 1 : -1));
    },
  ],
];
for (const [name, op] of cases) {
  results.push([name, measure(op)]);
  log(`${name}: ${fmt(results.at(-1)![1])} ns`);
}

// Inserts of new tasks, INSERT_TX per transaction; the rows are made before the clock starts.
let next = TASKS;
const insertNs: number[] = [];
for (let r = 0; r < INSERT_ROUNDS; r++) {
  const rows = received(
    Array.from({ length: INSERT_TX }, (_, i) => taskRow(next + i, rand, false, NODES, pool)),
  );
  next += INSERT_TX;
  const start = performance.now();
  store.write((tx) => {
    for (const row of rows) tx.insert('tasks', row);
  });
  insertNs.push(((performance.now() - start) * 1e6) / INSERT_TX);
}
results.push([`insert new tasks, tx of ${fmt(INSERT_TX)} (per row)`, median(insertNs.slice(1))]);
log(`${results.at(-1)![0]}: ${fmt(results.at(-1)![1])} ns`);

// The bulk loader: every task into an empty store, from the Arrow view of the loaded store (as a
// checkpoint holds it: dictionary-encoded columns) read back from IPC bytes.
const arrow = tableFromIPC(tableToIPC(store.read((s) => s.table('tasks'))));
const loadMs: number[] = [];
// (ACS_BENCH_NO_LOAD=1 skips it, to run this file against a version of the store without tx.load.)
for (let r = 0; r < (process.env.ACS_BENCH_NO_LOAD ? 0 : 3); r++) {
  const fresh = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
  const start = performance.now();
  fresh.write((tx) => tx.load('tasks', arrow));
  loadMs.push(performance.now() - start);
  fresh.close();
}
log(`tx.load of ${fmt(arrow.numRows)} tasks: ${loadMs.map((x) => fmt(x)).join(', ')} ms`);

console.log(`\n${fmt(TASKS)} tasks, ${fmt(NODES)} nodes; ns per transaction (insert: per row), medians\n`);
console.log('| write | ns |');
console.log('|---|---|');
for (const [name, ns] of results) console.log(`| ${name} | ${fmt(ns)} |`);
console.log(`| load with tx.insert, tx of ${fmt(LOAD_BATCH)} (per row) | ${fmt((insertMs * 1e6) / TASKS)} |`);
if (loadMs.length > 0)
  console.log(
    `| bulk load of ${fmt(arrow.numRows)} tasks from Arrow (tx.load), ms | ${fmt(median(loadMs))} |`,
  );
store.close();
