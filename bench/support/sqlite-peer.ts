// The peer of bench/writes.bench.ts: better-sqlite3 (SQLite 3.x, in memory, no journal, no sync:
// its fastest settings) holding the same cluster rows, so that each write is measured side by side.
// Tables mirror clusterSchema: a text primary key (WITHOUT ROWID, as our key locator is a clustered
// index by key), one column per struct field, lists as JSON text.
import Database from 'better-sqlite3';
import type { nodeRow, taskRow } from './cluster-data.js';

type NodeRow = ReturnType<typeof nodeRow>;
type TaskRow = ReturnType<typeof taskRow>;

const NODES = `CREATE TABLE nodes (node_id TEXT PRIMARY KEY, peer_id TEXT, role TEXT NOT NULL, address TEXT,
  status TEXT NOT NULL, last_heartbeat INTEGER NOT NULL, cpu_count INTEGER NOT NULL, cpu_usage REAL NOT NULL,
  memory_total INTEGER NOT NULL, memory_available INTEGER NOT NULL, disk_total INTEGER NOT NULL,
  disk_free INTEGER NOT NULL, gpu_count INTEGER NOT NULL, gpu_available INTEGER NOT NULL,
  capabilities TEXT NOT NULL, peers TEXT NOT NULL, tasks_assigned INTEGER NOT NULL) WITHOUT ROWID`;
const TASKS = `CREATE TABLE tasks (task_id TEXT PRIMARY KEY, task_type TEXT NOT NULL, status TEXT NOT NULL,
  parameters TEXT, priority INTEGER NOT NULL, assigned_node_id TEXT, submit_time INTEGER NOT NULL,
  start_time INTEGER, end_time INTEGER, result_cid TEXT, error_message TEXT, cpu_cores INTEGER NOT NULL,
  gpu_cores INTEGER NOT NULL, memory_mb INTEGER NOT NULL, input_cids TEXT NOT NULL) WITHOUT ROWID`;

/** A node as SQLite's named parameters: struct fields flattened, lists as JSON. */
export function flatNode(r: NodeRow): Record<string, string | number | null> {
  const { resources, capabilities, peers, ...rest } = r;
  return {
    ...rest,
    ...resources,
    gpu_available: resources.gpu_available ? 1 : 0,
    capabilities: JSON.stringify(capabilities),
    peers: JSON.stringify(peers),
  };
}

/** A task as SQLite's named parameters. */
export function flatTask(r: TaskRow): Record<string, string | number | null> {
  const { resources, input_cids, ...rest } = r;
  return { ...rest, ...resources, input_cids: JSON.stringify(input_cids) };
}

/** The writes the benchmark makes on the peer. */
export interface SqlitePeer {
  /** Inserts flattened rows in one transaction. */
  insertNodes(rows: Record<string, unknown>[]): void;
  insertTasks(rows: Record<string, unknown>[]): void;
  /** Each of these is one statement in autocommit: its own transaction, as ours are. */
  updateTask(key: string, status: string, start: number): void;
  heartbeat(key: string, at: number): void;
  heartbeatResources(key: string, at: number, usage: number, available: number): void;
  increment(key: string, by: number): void;
  close(): void;
}

/** An in-memory better-sqlite3 database of nodes and tasks. */
export function sqlitePeer(): SqlitePeer {
  const db = new Database(':memory:');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(NODES);
  db.exec(TASKS);
  const named = (table: string, columns: string) =>
    `INSERT INTO ${table} VALUES (${columns
      .split(',')
      .map((c) => `@${c.trim()}`)
      .join(', ')})`;
  const insertNode = db.prepare(
    named(
      'nodes',
      'node_id, peer_id, role, address, status, last_heartbeat, cpu_count, cpu_usage, memory_total, memory_available, disk_total, disk_free, gpu_count, gpu_available, capabilities, peers, tasks_assigned',
    ),
  );
  const insertTask = db.prepare(
    named(
      'tasks',
      'task_id, task_type, status, parameters, priority, assigned_node_id, submit_time, start_time, end_time, result_cid, error_message, cpu_cores, gpu_cores, memory_mb, input_cids',
    ),
  );
  const updateTask = db.prepare('UPDATE tasks SET status = ?, start_time = ? WHERE task_id = ?');
  const heartbeat = db.prepare('UPDATE nodes SET last_heartbeat = ?, status = ? WHERE node_id = ?');
  const heartbeatResources = db.prepare(
    'UPDATE nodes SET last_heartbeat = ?, status = ?, cpu_usage = ?, memory_available = ? WHERE node_id = ?',
  );
  const increment = db.prepare('UPDATE nodes SET tasks_assigned = tasks_assigned + ? WHERE node_id = ?');
  return {
    insertNodes: db.transaction((rows: Record<string, unknown>[]) => {
      for (const r of rows) insertNode.run(r);
    }),
    insertTasks: db.transaction((rows: Record<string, unknown>[]) => {
      for (const r of rows) insertTask.run(r);
    }),
    updateTask: (key, status, start) => void updateTask.run(status, start, key),
    heartbeat: (key, at) => void heartbeat.run(at, 'online', key),
    heartbeatResources: (key, at, usage, available) =>
      void heartbeatResources.run(at, 'online', usage, available, key),
    increment: (key, by) => void increment.run(by, key),
    close: () => db.close(),
  };
}
