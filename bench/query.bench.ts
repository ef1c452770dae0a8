// The query engine on the cluster schema: 10,000 nodes and 1,000,000 tasks (ACS_BENCH_TASKS to
// change), loaded with tx.load from Arrow batches. Three queries the runtime needs, each run in one
// thread through runQuery (pin included): median and fastest of ROUNDS runs, after a warm-up.
import { clusterSchema, count, eq, query, runQuery, Store, sum } from '../src/index.js';
import { loadCluster } from './support/cluster-load.js';
import { fmt, log, median } from './support/report.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const NODES = 10_000;
const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 15);
const BATCH = 100_000;

const store = Store.create(clusterSchema, { maxBytes: 16 * 2 ** 30 });
const loadMs = loadCluster(store, TASKS, { nodes: NODES, rows: BATCH });
log(
  `loaded ${fmt(NODES)} nodes and ${fmt(store.read((s) => s.count('tasks')))} tasks (tx.load: ${fmt(loadMs)} ms)`,
);

const plans = {
  'group-by count of tasks by status': query('tasks').groupBy('status').aggregate({ tasks: count() }).build(),
  'top-100 pending tasks by priority': query('tasks')
    .where(eq('status', 'pending'))
    .orderBy('priority', 'desc')
    .limit(100)
    .select('task_id', 'priority')
    .build(),
  'tasks joined to nodes, summed by role': query('tasks')
    .join('nodes', 'assigned_node_id', { as: 'node' })
    .groupBy('node.role')
    .aggregate({ tasks: count(), cpu: sum('resources.cpu_cores'), memory_mb: sum('resources.memory_mb') })
    .build(),
};

// Checks first, so that a fast wrong answer is not reported: the counts add up to every task, the
// top-100 are pending with the largest priorities, and the join counts only assigned tasks.
store.read((snap) => {
  const byStatus = runQuery(snap, plans['group-by count of tasks by status']).rows;
  if (byStatus.reduce((n, r) => n + (r.tasks as number), 0) !== TASKS)
    throw new Error('status counts are off');
  const top = runQuery(snap, plans['top-100 pending tasks by priority']).rows;
  if (top.length !== Math.min(100, TASKS) || top.some((r) => r.priority !== 9))
    throw new Error('top-100 is off');
  const roles = runQuery(snap, plans['tasks joined to nodes, summed by role']).rows;
  let assigned = 0;
  for (const c of snap.chunks('tasks', 'assigned_node_id'))
    for (let i = 0; i < c.length; i++) if ((c.validity![i >> 3]! & (1 << (i & 7))) !== 0) assigned++;
  if (roles.reduce((n, r) => n + (r.tasks as number), 0) !== assigned) throw new Error('join counts are off');
  log(
    `checked: ${JSON.stringify(byStatus)}; ${JSON.stringify(roles, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
  );
});

const results: [string, number, number][] = [];
for (const [name, plan] of Object.entries(plans)) {
  for (let w = 0; w < 3; w++) store.read((snap) => runQuery(snap, plan));
  const ms: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    store.read((snap) => runQuery(snap, plan));
    ms.push(performance.now() - t0);
  }
  results.push([name, median(ms), Math.min(...ms)]);
  log(`${name}: median ${fmt(median(ms), 2)} ms`);
}

console.log(
  `\nQueries, ${fmt(NODES)} nodes and ${fmt(TASKS)} tasks (row groups of 4,096), one thread, Node ${process.version}\n`,
);
console.log('| query | median ms | fastest ms |');
console.log('|---|---|---|');
for (const [name, med, min] of results) console.log(`| ${name} | ${fmt(med, 2)} | ${fmt(min, 2)} |`);
store.close();
