// The main job: a small, honest tour of the store. It creates a store, writes from the main
// thread, and reads the same memory from two worker threads, printing what each saw and how long
// it took. Run: npm start
import { bool, float32, int32, int64, ReaderWorker, Store, schema, table, timestamp } from '../index.js';

const NODES = 200_000;
const ROUNDS = 100;
const BATCH = 1_000;

const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;

const nodes = table(
  'nodes',
  {
    node_id: int32(),
    cpu_usage: float32(),
    memory_available: int64(),
    tasks_assigned: int32(),
    last_heartbeat: timestamp(),
    healthy: bool(),
  },
  { key: 'node_id' },
);

let t0 = performance.now();
const store = Store.create(schema([nodes]));
const now = Date.now();
store.write((tx) => {
  for (let i = 0; i < NODES; i++) {
    tx.insert('nodes', {
      node_id: i,
      cpu_usage: 0,
      memory_available: 64 * 2 ** 30,
      tasks_assigned: 0,
      last_heartbeat: now,
      healthy: true,
    });
  }
});
console.log(`main: inserted ${NODES.toLocaleString()} nodes as version ${store.version} in ${ms(t0)}`);

t0 = performance.now();
const [pinned, live] = await Promise.all([
  ReaderWorker.start(store.handle()),
  ReaderWorker.start(store.handle()),
]);
console.log(`main: started and attached 2 reader threads in ${ms(t0)}`);

const before = await pinned.pin();
console.log(`worker ${pinned.worker.threadId}: pinned version ${before.version}`);

t0 = performance.now();
let seed = 1;
for (let round = 0; round < ROUNDS; round++) {
  store.write((tx) => {
    for (let k = 0; k < BATCH; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      const id = seed % NODES;
      const row = tx.get('nodes', id)!;
      tx.update('nodes', id, {
        tasks_assigned: (row.tasks_assigned as number) + 1,
        last_heartbeat: now + round,
      });
    }
  });
}
const writeMs = performance.now() - t0;
console.log(
  `main: ${ROUNDS} transactions of ${BATCH} heartbeat+assignment updates in ${writeMs.toFixed(1)} ms ` +
    `(${Math.round((ROUNDS * BATCH) / (writeMs / 1000)).toLocaleString()} updates/s), now at version ${store.version}`,
);

const [old, newest] = await Promise.all([
  pinned.scan('nodes', 'tasks_assigned'),
  live.scan('nodes', 'tasks_assigned'),
]);
console.log(
  `worker ${pinned.worker.threadId}: version ${old.version} still shows ${old.sum} tasks assigned ` +
    `over ${old.rows.toLocaleString()} rows (scan ${old.ms.toFixed(2)} ms)`,
);
console.log(
  `worker ${live.worker.threadId}: version ${newest.version} shows ${newest.sum.toLocaleString()} tasks assigned ` +
    `over ${newest.rows.toLocaleString()} rows (scan ${newest.ms.toFixed(2)} ms, ` +
    `${Math.round(newest.rows / (newest.ms / 1000) / 1e6)} M rows/s)`,
);

const probe = NODES - 1;
console.log(`worker ${live.worker.threadId}: node ${probe} ->`, await live.get('nodes', probe));

await pinned.release();
const freed = store.reclaim();
const stats = store.stats();
console.log(
  `main: after the pin was released, reclamation freed ${(freed / 2 ** 20).toFixed(1)} MiB; the arena holds ` +
    `${(stats.usedBytes / 2 ** 20).toFixed(1)} MiB in use (${(stats.usedBytes / NODES).toFixed(1)} bytes per node) ` +
    `in ${stats.segments} segment(s) of ${(stats.arenaBytes / 2 ** 20).toFixed(0)} MiB`,
);

await Promise.all([pinned.close(), live.close()]);
store.close();
