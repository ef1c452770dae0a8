import { schema, table } from '../schema/schema.js';
import { bool, dictionary, float32, int32, int64, list, struct, timestamp, utf8 } from '../schema/types.js';

/*
 * The cluster model (DESIGN section 7). Identifiers and low-cardinality strings are dictionary
 * columns; the node-id domain is shared by nodes.node_id, nodes.peers, tasks.assigned_node_id and
 * content.providers, and the cid domain by content.cid, tasks.result_cid and tasks.input_cids, so
 * joins and filters along them compare integer codes. Free text (parameters JSON, error messages,
 * addresses) is plain utf8.
 */

/**
 * Byte counts and sizes: int64 in the arena, in Arrow and on disk, read and written as plain
 * numbers (`memory_total / 2 ** 30` works), refused beyond ±(2^53 - 1) with OUT_OF_RANGE.
 */
const bytes = () => int64({ mode: 'number' });

/** nodes: one row per cluster node. */
export const nodesTable = table(
  'nodes',
  {
    node_id: dictionary('node'),
    peer_id: dictionary('peer', { nullable: true }),
    role: dictionary('node_role', { width: 8 }),
    address: utf8({ nullable: true }),
    status: dictionary('node_status', { width: 8 }),
    last_heartbeat: timestamp(),
    resources: struct({
      cpu_count: int32(),
      cpu_usage: float32(),
      memory_total: bytes(),
      memory_available: bytes(),
      disk_total: bytes(),
      disk_free: bytes(),
      gpu_count: int32(),
      gpu_available: bool(),
    }),
    capabilities: list(dictionary('capability')),
    peers: list(dictionary('node')),
    tasks_assigned: int32(),
  },
  // Nodes are few and written one row at a time (every heartbeat): small groups copy less.
  { key: 'node_id', rowGroupSize: 256 },
);

/** tasks: one row per submitted task, until finished tasks are purged. */
export const tasksTable = table(
  'tasks',
  {
    task_id: dictionary('task'),
    task_type: dictionary('task_type', { width: 16 }),
    status: dictionary('task_status', { width: 8 }),
    parameters: utf8({ nullable: true }),
    priority: int32(),
    assigned_node_id: dictionary('node', { nullable: true }),
    submit_time: timestamp(),
    start_time: timestamp({ nullable: true }),
    end_time: timestamp({ nullable: true }),
    result_cid: dictionary('cid', { nullable: true }),
    error_message: utf8({ nullable: true }),
    resources: struct({ cpu_cores: int32(), gpu_cores: int32(), memory_mb: bytes() }),
    input_cids: list(dictionary('cid')),
  },
  { key: 'task_id' },
);

/** content: one row per content id the cluster knows. */
export const contentTable = table(
  'content',
  {
    cid: dictionary('cid'),
    size: bytes(),
    providers: list(dictionary('node')),
    pin_status: dictionary('pin_status', { width: 8 }),
    replication_factor: int32(),
    last_access_time: timestamp({ nullable: true }),
    pinned_at: timestamp({ nullable: true }),
  },
  { key: 'cid' },
);

/**
 * The schema of a compute cluster's state: nodes, tasks and content. Node roles are master,
 * worker and leecher; task statuses pending, assigned, running, completed, failed and cancelled.
 * (The metadata of the seed's model, such as cluster id and state version, is derived from the
 * store's root and key/value metadata rather than stored as a table.)
 */
export const clusterSchema = schema([nodesTable, tasksTable, contentTable]);

/** Node roles of the cluster model. */
export const NODE_ROLES = ['master', 'worker', 'leecher'] as const;

/** Task statuses of the cluster model. */
export const TASK_STATUSES = ['pending', 'assigned', 'running', 'completed', 'failed', 'cancelled'] as const;
