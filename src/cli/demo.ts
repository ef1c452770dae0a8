// The main job: a small, honest tour of the store with the cluster model. It creates a store,
// loads nodes and tasks, runs a scheduler's assignments from the main thread, reads the same
// memory from two worker threads (one pinned to the version before), and bulk-loads the tasks into
// a second store, printing what each saw and how long it took. Run: npm start
import { clusterSchema, ReaderWorker, Store } from '../index.js';

const NODES = 10_000;
const TASKS = 200_000;
const ROUNDS = 100;
const BATCH = 1_000;

const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;
const nodeId = (i: number) => `node-${i.toString().padStart(5, '0')}`;
const taskId = (i: number) =>
  `task-${i.toString(36).padStart(4, '0')}-${((i * 2654435761) >>> 0).toString(16)}`;

let t0 = performance.now();
const store = Store.create(clusterSchema);
const now = Date.now();
store.write((tx) => {
  // Facts about the state that are not rows live in the store metadata, versioned with the rows.
  tx.setMeta('cluster_id', 'demo-cluster');
  tx.setMeta('master_id', nodeId(0));
  for (let i = 0; i < NODES; i++) {
    tx.insert('nodes', {
      node_id: nodeId(i),
      role: i === 0 ? 'master' : 'worker',
      status: 'online',
      address: `10.0.${i >> 8}.${i & 255}:4001`,
      last_heartbeat: now,
      resources: {
        cpu_count: 32,
        cpu_usage: 0,
        memory_total: 2 ** 37,
        memory_available: 2 ** 37,
        disk_total: 2 ** 42,
        disk_free: 2 ** 41,
        gpu_count: i % 4 === 0 ? 8 : 0,
        gpu_available: i % 4 === 0,
      },
      capabilities: i % 4 === 0 ? ['gpu', 'storage'] : ['storage'],
      peers: [nodeId((i + 1) % NODES)],
      tasks_assigned: 0,
    });
  }
});
for (let from = 0; from < TASKS; from += 50_000) {
  store.write((tx) => {
    for (let i = from; i < from + 50_000; i++) {
      tx.insert('tasks', {
        task_id: taskId(i),
        task_type: i % 10 === 0 ? 'train' : 'infer',
        status: 'pending',
        parameters: `{"batch":${i % 64},"model":"m${i % 7}"}`,
        priority: i % 5,
        submit_time: now - TASKS + i, // submitted before the scheduler runs (start_time: now + round)
        resources: { cpu_cores: 1 + (i % 4), gpu_cores: i % 10 === 0 ? 1 : 0, memory_mb: 512 },
        input_cids: [],
      });
    }
  });
}
console.log(
  `main: loaded ${NODES.toLocaleString()} nodes and ${TASKS.toLocaleString()} tasks as version ${store.version} in ${ms(t0)}`,
);

t0 = performance.now();
const [pinned, live] = await Promise.all([
  ReaderWorker.start(store.handle()),
  ReaderWorker.start(store.handle()),
]);
console.log(`main: started and attached 2 reader threads in ${ms(t0)}`);
const before = await pinned.pin();
console.log(`worker ${pinned.worker.threadId}: pinned version ${before.version}`);

// The scheduler: each transaction assigns 1,000 pending tasks, each to a node, and counts it on
// the node, all or nothing.
t0 = performance.now();
let seed = 1;
let assigned = 0;
for (let round = 0; round < ROUNDS; round++) {
  store.write((tx) => {
    for (let k = 0; k < BATCH; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      const task = taskId(seed % TASKS);
      if (tx.get('tasks', task, ['status'])?.status !== 'pending') continue;
      const node = nodeId(seed % NODES);
      const count = tx.get('nodes', node, ['tasks_assigned'])!.tasks_assigned as number;
      tx.update('tasks', task, { status: 'assigned', assigned_node_id: node, start_time: now + round });
      tx.update('nodes', node, { tasks_assigned: count + 1 });
      assigned++;
    }
  });
}
const writeMs = performance.now() - t0;
console.log(
  `main: ${ROUNDS} transactions assigned ${assigned.toLocaleString()} tasks in ${writeMs.toFixed(1)} ms ` +
    `(${Math.round(assigned / (writeMs / 1000)).toLocaleString()} assignments/s, each a task update and a node update), ` +
    `now at version ${store.version}`,
);

const [old, newest] = await Promise.all([
  pinned.scan('nodes', 'tasks_assigned'),
  live.scan('nodes', 'tasks_assigned'),
]);
console.log(
  `worker ${pinned.worker.threadId}: version ${old.version} still shows ${old.sum} tasks assigned over ${old.rows.toLocaleString()} nodes`,
);
console.log(
  `worker ${live.worker.threadId}: version ${newest.version} shows ${newest.sum.toLocaleString()} tasks assigned over ` +
    `${newest.rows.toLocaleString()} nodes (scan ${newest.ms.toFixed(2)} ms)`,
);
const probe = taskId(seed % TASKS);
console.log(`worker ${live.worker.threadId}: ${probe} ->`, await live.get('tasks', probe));
console.log(
  `worker ${pinned.worker.threadId}: the same task at version ${old.version} ->`,
  (await pinned.get('tasks', probe))?.status,
);

await pinned.release();
const freed = store.reclaim();
const stats = store.stats();
console.log(
  `main: after the pin was released, reclamation freed ${(freed / 2 ** 20).toFixed(1)} MiB; ` +
    `${(stats.usedBytes / 2 ** 20).toFixed(1)} MiB in use in ${stats.segments} segment(s) of 64 MiB`,
);
// A second store loads every task from the first one's Arrow view, as a checkpoint would load.
t0 = performance.now();
const copy = Store.create(clusterSchema);
const arrow = store.read((s) => s.table('tasks'));
copy.write((tx) => {
  tx.load('tasks', arrow);
  tx.setMeta('origin', `copy of version ${store.version}`);
});
console.log(
  `main: a second store bulk-loaded ${copy.read((s) => s.count('tasks')).toLocaleString()} tasks from the first one's Arrow view in ${ms(t0)}; ` +
    `its metadata: ${JSON.stringify(copy.read((s) => s.meta()))}, the first's: ${JSON.stringify(store.read((s) => s.meta()))}`,
);
copy.close();

await Promise.all([pinned.close(), live.close()]);
store.close();
