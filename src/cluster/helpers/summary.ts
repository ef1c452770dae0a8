import { type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { count, eq, query, runQuery, sum } from '../../query/index.js';
import type { MetaValue } from '../../store/meta.js';
import type { Snapshot } from '../../store/snapshot.js';
import type { Row } from '../../store/values.js';
import { type ClusterMetadata, readClusterMetadata } from '../metadata.js';
import { allRows, countsBy, num } from './rows.js';
import { getStatePathFromMetadata, openStateFolder, type StateSource, withSnapshot } from './source.js';

const GIB = 2 ** 30;

/** The seed's cluster metadata: what `ClusterState` keeps in the store metadata. */
export type ClusterMetadataFields = Pick<
  ClusterMetadata,
  'cluster_id' | 'master_id' | 'updated_at' | 'state_version'
>;

function clusterMeta(s: Snapshot): ClusterMetadataFields {
  const base = readClusterMetadata(s);
  // A state written by the seed stored its own counter; ours is the store version (see metadata.ts).
  const stored = s.meta('state_version');
  return {
    cluster_id: base.cluster_id,
    master_id: base.master_id,
    updated_at: base.updated_at,
    state_version: typeof stored === 'number' ? stored : base.state_version,
  };
}

/** The cluster metadata (store metadata) and the row counts of the three tables. */
export function getClusterMetadata(
  source: StateSource,
): Promise<ClusterMetadataFields & { node_count: number; task_count: number; content_count: number }> {
  return withSnapshot(source, (s) => ({
    ...clusterMeta(s),
    node_count: s.count('nodes'),
    task_count: s.count('tasks'),
    content_count: s.count('content'),
  }));
}

/** The state as Arrow tables: copies, which stay valid after the snapshot they came from is gone. */
export interface ClusterStateTables {
  version: number;
  metadata: Record<string, MetaValue>;
  nodes: Table;
  tasks: Table;
  content: Table;
}

const copyTable = (s: Snapshot, name: string): Table => tableFromIPC(tableToIPC(s.table(name)));

/** The state at one version as Arrow tables (copied out of the shared memory) with the store metadata. */
export function getClusterState(source: StateSource): Promise<ClusterStateTables> {
  return withSnapshot(source, (s) => ({
    version: s.version,
    metadata: { ...s.meta() },
    nodes: copyTable(s, 'nodes'),
    tasks: copyTable(s, 'tasks'),
    content: copyTable(s, 'content'),
  }));
}

/** The seed's pandas variant: `{ nodes, tasks, content }` as Arrow tables (copies). */
export function getClusterStateAsArrow(
  source: StateSource,
): Promise<{ nodes: Table; tasks: Table; content: Table }> {
  return withSnapshot(source, (s) => ({
    nodes: copyTable(s, 'nodes'),
    tasks: copyTable(s, 'tasks'),
    content: copyTable(s, 'content'),
  }));
}

/** The state as plain objects: the cluster metadata and every row of each table. */
export function getClusterStateAsDict(
  source: StateSource,
): Promise<ClusterMetadataFields & { version: number; nodes: Row[]; tasks: Row[]; content: Row[] }> {
  return withSnapshot(source, (s) => ({
    ...clusterMeta(s),
    version: s.version,
    nodes: allRows(s, 'nodes'),
    tasks: allRows(s, 'tasks'),
    content: allRows(s, 'content'),
  }));
}

/** What getClusterStatusSummary reports (memory and sizes in GiB). */
export interface ClusterStatusSummary {
  cluster_id: MetaValue | null;
  master_id: MetaValue | null;
  updated_at: MetaValue | null;
  nodes: { total: number; active: number; by_role: Record<string, number> };
  resources: {
    cpu_cores: number;
    gpu_cores: { total: number; available: number };
    memory_gb: { total: number; available: number };
  };
  tasks: { total: number; by_status: Record<string, number> };
  content: { total: number; total_size_gb: number };
}

/**
 * The cluster at a glance, through the query engine: nodes (total, online, by role), resources
 * summed over all nodes (CPU cores, GPUs and those of nodes whose gpu_available, memory in GiB),
 * tasks by status, content count and size in GiB.
 */
export function getClusterStatusSummary(source: StateSource): Promise<ClusterStatusSummary> {
  return withSnapshot(source, (s) => {
    const one = (plan: ReturnType<typeof query>) => runQuery(s, plan.build()).rows[0]!;
    const res = one(
      query('nodes').aggregate({
        cpu: sum('resources.cpu_count'),
        gpu: sum('resources.gpu_count'),
        total: sum('resources.memory_total'),
        available: sum('resources.memory_available'),
      }),
    );
    const gpuFree = one(
      query('nodes')
        .where(eq('resources.gpu_available', true))
        .aggregate({ gpu: sum('resources.gpu_count') }),
    );
    const active = one(query('nodes').where(eq('status', 'online')).aggregate({ n: count() }));
    const size = one(query('content').aggregate({ bytes: sum('size') }));
    const meta = clusterMeta(s);
    return {
      cluster_id: meta.cluster_id,
      master_id: meta.master_id,
      updated_at: meta.updated_at,
      nodes: { total: s.count('nodes'), active: num(active.n), by_role: countsBy(s, 'nodes', 'role') },
      resources: {
        cpu_cores: num(res.cpu),
        gpu_cores: { total: num(res.gpu), available: num(gpuFree.gpu) },
        memory_gb: { total: num(res.total) / GIB, available: num(res.available) / GIB },
      },
      tasks: { total: s.count('tasks'), by_status: countsBy(s, 'tasks', 'status') },
      content: { total: s.count('content'), total_size_gb: num(size.bytes) / GIB },
    };
  });
}

/**
 * The seed's connect: the state folder found from `baseDir` (getStatePathFromMetadata's order),
 * opened read-only (cached), and its metadata; null when no folder holds a state.
 */
export async function connectToStateStore(
  baseDir?: string,
  options: { home?: string; system?: readonly string[] } = {},
): Promise<{ state_path: string; version: number; metadata: Record<string, MetaValue> } | null> {
  const path = await getStatePathFromMetadata(baseDir, options);
  if (path === null) return null;
  const { folder, store } = openStateFolder(path);
  return store.read((s) => ({ state_path: folder, version: s.version, metadata: { ...s.meta() } }));
}
