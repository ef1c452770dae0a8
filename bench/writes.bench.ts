// The scheduler's writes on the cluster model (issue 8): what one version costs when it changes
// one row, and what loading rows costs, on clusterSchema with 10,000 nodes and ACS_BENCH_TASKS
// tasks (default 1,000,000). Every single-row write is its own transaction, as a scheduler does
// them; the reported figure is the median over rounds of the mean time per transaction.
//
// Side by side with better-sqlite3 (bench/support/sqlite-peer.ts) holding the same rows: each
// case alternates rounds of ours and the peer's, and the table gives both medians and the ratio.
// (ACS_BENCH_NO_PEER=1 leaves the peer out.)
//
// Rows reach the store as they would from the network: through JSON, so their strings are flat.
// (Strings built by concatenation in the same thread are V8 "cons strings", which the first read
// flattens: loading the generator's rows directly costs about twice as much, all of it in V8.)
// Run: npm run bench:writes   (ACS_BENCH_TASKS=100000 for a quick run; ACS_BENCH_ROUNDS, _OPS)
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { clusterSchema, encodeBatch, Store } from '../src/index.js';
import { cidPool, nodeId, nodeRow, prng, T0, taskId, taskRow } from './support/cluster-data.js';
import { MapInterner } from './support/map-intern.js';
import { fmt, log, median } from './support/report.js';
import { flatNode, flatTask, sqlitePeer } from './support/sqlite-peer.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const LOAD_BATCH = 10_000;
const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 15);
const OPS = Number(process.env.ACS_BENCH_OPS ?? 2_000); // transactions per round
const INSERT_TX = 10_000; // rows per insert transaction
const INSERT_ROUNDS = 13;

const PEER = !process.env.ACS_BENCH_NO_PEER;

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

// The peer gets the same rows: the same generator, seed and order.
const peer = PEER ? sqlitePeer() : null;
const peerRand = prng(42);
let peerLoadMs = 0;
if (peer !== null) {
  peer.insertNodes(
    received(Array.from({ length: NODES }, (_, i) => nodeRow(i, peerRand, NODES))).map(flatNode),
  );
  for (let from = 0; from < TASKS; from += LOAD_BATCH) {
    const rows = received(
      Array.from({ length: Math.min(LOAD_BATCH, TASKS - from) }, (_, k) =>
        taskRow(from + k, peerRand, false, NODES, pool),
      ),
    ).map(flatTask);
    const start = performance.now();
    peer.insertTasks(rows);
    peerLoadMs += performance.now() - start;
  }
  log(`better-sqlite3: loaded ${fmt(TASKS)} tasks in ${fmt(peerLoadMs)} ms`);
}

const pick = prng(7);
const taskKeys = Array.from({ length: 100_000 }, () => taskId(pick(TASKS)));
const nodeKeys = Array.from({ length: 100_000 }, () => nodeId(pick(NODES)));
const STATUSES = ['running', 'assigned'];
let n = 0;

/**
 * ns per call of `op` and of `peerOp`, each the median over rounds of OPS calls, the two sides'
 * rounds alternating so that both see the same state of the machine.
 */
function measure(op: () => void, peerOp: (() => void) | null): [number, number] {
  const round = (f: () => void) => {
    const start = performance.now();
    for (let i = 0; i < OPS; i++) f();
    return ((performance.now() - start) * 1e6) / OPS;
  };
  round(op); // warm-up
  if (peerOp !== null) round(peerOp);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(round(op));
    if (peerOp !== null) theirs.push(round(peerOp));
  }
  return [median(ours), theirs.length > 0 ? median(theirs) : Number.NaN];
}

const results: [string, number, number][] = [];
const cases: [string, () => void, (() => void) | null][] = [
  [
    'task update by key (status, start_time)',
    () => {
      const k = taskKeys[n++ % taskKeys.length]!;
      store.write((tx) => tx.update('tasks', k, { status: STATUSES[n & 1], start_time: T0 + n }));
    },
    peer &&
      (() => {
        const k = taskKeys[n++ % taskKeys.length]!;
        peer.updateTask(k, STATUSES[n & 1]!, T0 + n);
      }),
  ],
  [
    'heartbeat: node update by key (last_heartbeat, status)',
    () => {
      const k = nodeKeys[n++ % nodeKeys.length]!;
      store.write((tx) => tx.update('nodes', k, { last_heartbeat: T0 + n, status: 'online' }));
    },
    peer &&
      (() => {
        const k = nodeKeys[n++ % nodeKeys.length]!;
        peer.heartbeat(k, T0 + n);
      }),
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
    peer &&
      (() => {
        const k = nodeKeys[n++ % nodeKeys.length]!;
        peer.heartbeatResources(k, T0 + n, (n & 1023) / 1024, 2 ** 33 + n);
      }),
  ],
  [
    'increment nodes.tasks_assigned',
    () => {
      const k = nodeKeys[n++ % nodeKeys.length]!;
      store.write((tx) => tx.increment('nodes', k, 'tasks_assigned', n & 1 ? 1 : -1));
    },
    peer &&
      (() => {
        const k = nodeKeys[n++ % nodeKeys.length]!;
        peer.increment(k, n & 1 ? 1 : -1);
      }),
  ],
];
for (const [name, op, peerOp] of cases) {
  const [ours, theirs] = measure(op, peerOp);
  results.push([name, ours, theirs]);
  log(`${name}: ${fmt(ours)} ns (better-sqlite3 ${fmt(theirs)} ns)`);
}

// Inserts of new tasks, INSERT_TX per transaction, ours and the peer's alternating; the rows are
// made (and for the peer flattened) before the clock starts. Ours with tx.insert per row and with
// one tx.insertRows, each three ways: recorded (an inline write, whose effects the log needs),
// recorded and its record encoded as the log would encode it (encodeBatch of tx.batch, inside the
// transaction: a runtime encodes it when the log first reads it), and not recorded (how the
// runtime's writer applies a submitted batch, whose bytes are its record). Two more, to judge the
// target by: tx.insertRows (not recorded) of the same rows without content ids (no result_cid, no
// input_cids), and the baseline of bench/support/map-intern.ts (the rows' strings interned in
// JavaScript Maps that hold the same strings as the store's domains, and nothing else).
let next = TASKS;
const insertNs = { recorded: [] as number[], encoded: [] as number[], unrecorded: [] as number[] };
const rowsNs = { recorded: [] as number[], encoded: [] as number[], unrecorded: [] as number[] };
const noCidsNs: number[] = [];
const mapsNs: number[] = [];
const peerInsertNs: number[] = [];
const maps = new MapInterner({
  task: (function* () {
    for (let i = 0; i < TASKS; i++) yield taskId(i);
  })(),
  node: Array.from({ length: NODES }, (_, i) => nodeId(i)),
  cid: pool,
});
type Variant = { many: boolean; how: 'recorded' | 'encoded' | 'unrecorded' } | 'no-cids' | 'maps';
const variants: Variant[] = [
  ...[false, true].flatMap((many) =>
    (['recorded', 'encoded', 'unrecorded'] as const).map((how) => ({ many, how })),
  ),
  'no-cids',
  'maps',
];
for (let r = 0; r < INSERT_ROUNDS; r++) {
  // Each round starts one variant later, so that none always follows the one that leaves the most
  // garbage (an encoded record of 10,000 inserts) for the collector.
  for (let v = 0; v < variants.length; v++) {
    const variant = variants[(v + r) % variants.length]!;
    const rows = received(
      Array.from({ length: INSERT_TX }, (_, i) => {
        const row = taskRow(next + i, rand, false, NODES, pool);
        return variant === 'no-cids' ? { ...row, result_cid: null, input_cids: [] } : row;
      }),
    );
    next += INSERT_TX;
    const start = performance.now();
    if (variant === 'maps') {
      maps.intern(rows);
      mapsNs.push(((performance.now() - start) * 1e6) / INSERT_TX);
      continue;
    }
    const many = variant === 'no-cids' || variant.many;
    const how = variant === 'no-cids' ? 'unrecorded' : variant.how;
    store.write(
      (tx) => {
        if (many) tx.insertRows('tasks', rows);
        else for (const row of rows) tx.insert('tasks', row);
        if (how === 'encoded') encodeBatch(tx.batch);
      },
      { record: how !== 'unrecorded' },
    );
    const ns = ((performance.now() - start) * 1e6) / INSERT_TX;
    if (variant === 'no-cids') noCidsNs.push(ns);
    else (many ? rowsNs : insertNs)[how].push(ns);
    // The baseline's maps keep holding what the store's domains hold (off the clock).
    maps.intern(rows);
  }
  if (peer !== null) {
    const flat = received(
      Array.from({ length: INSERT_TX }, (_, i) => taskRow(next + i, peerRand, false, NODES, pool)),
    ).map(flatTask);
    const peerStart = performance.now();
    peer.insertTasks(flat);
    peerInsertNs.push(((performance.now() - peerStart) * 1e6) / INSERT_TX);
  }
}
maps.release();
const peerInsert = peerInsertNs.length > 0 ? median(peerInsertNs.slice(1)) : Number.NaN;
for (const [name, ns] of [
  [`insert new tasks with tx.insert, tx of ${fmt(INSERT_TX)} (per row), recorded`, insertNs.recorded],
  ['the same, and the record encoded for the log', insertNs.encoded],
  [`the same, not recorded (a submitted batch in the runtime's writer)`, insertNs.unrecorded],
  [`insert new tasks with one tx.insertRows, tx of ${fmt(INSERT_TX)} (per row), recorded`, rowsNs.recorded],
  ['the same, and the record encoded for the log', rowsNs.encoded],
  ['the same, not recorded', rowsNs.unrecorded],
] as const) {
  results.push([name, median(ns.slice(1)), peerInsert]);
}
// Not the peer's work (other rows; nothing stored): no ratio to it.
results.push(
  [
    'the same rows without content ids (no result_cid, input_cids), not recorded',
    median(noCidsNs.slice(1)),
    Number.NaN,
  ],
  [
    "baseline: the rows' strings interned in JavaScript Maps, nothing stored",
    median(mapsNs.slice(1)),
    Number.NaN,
  ],
);
for (const [name, ns] of results.slice(-3)) log(`${name}: ${fmt(ns)} ns`);
log(`better-sqlite3: ${fmt(peerInsert)} ns per row`);
peer?.close();

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

const ratio = (ours: number, theirs: number) => (Number.isNaN(theirs) ? '' : `${fmt(ours / theirs, 2)}x`);
console.log(
  `\n${fmt(TASKS)} tasks, ${fmt(NODES)} nodes; ns per transaction (insert: per row), medians; better-sqlite3 ${PEER ? 'side by side' : 'left out'}\n`,
);
console.log('| write | ours, ns | better-sqlite3, ns | ours / better-sqlite3 |');
console.log('|---|---|---|---|');
for (const [name, ns, theirs] of results)
  console.log(`| ${name} | ${fmt(ns)} | ${Number.isNaN(theirs) ? '' : fmt(theirs)} | ${ratio(ns, theirs)} |`);
const loadNs = (insertMs * 1e6) / TASKS;
const peerLoadNs = PEER ? (peerLoadMs * 1e6) / TASKS : Number.NaN;
console.log(
  `| load with tx.insert, tx of ${fmt(LOAD_BATCH)} (per row) | ${fmt(loadNs)} | ${fmt(peerLoadNs)} | ${ratio(loadNs, peerLoadNs)} |`,
);
if (loadMs.length > 0)
  console.log(
    `| bulk load of ${fmt(arrow.numRows)} tasks from Arrow (tx.load), ms | ${fmt(median(loadMs))} | | |`,
  );
store.close();
