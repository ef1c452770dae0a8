import { and, contains, eq, gt, isIn, query, runQuery, sum } from '../../query/index.js';
import type { Row } from '../../store/values.js';
import { allRows, num, rowsWhere } from './rows.js';
import { type StateSource, withSnapshot } from './source.js';

/** Every node row, in storage order. */
export function getAllNodes(source: StateSource): Promise<Row[]> {
  return withSnapshot(source, (s) => allRows(s, 'nodes'));
}

/** The node row of `nodeId`, or null. */
export function getNodeById(source: StateSource, nodeId: string): Promise<Row | null> {
  return withSnapshot(source, (s) => s.get('nodes', nodeId));
}

/** Nodes whose role is `role` (master, worker, leecher). */
export function findNodesByRole(source: StateSource, role: string): Promise<Row[]> {
  return withSnapshot(source, (s) => rowsWhere(s, 'nodes', eq('role', role)));
}

/** Nodes whose capabilities include `capability`. */
export function findNodesByCapability(source: StateSource, capability: string): Promise<Row[]> {
  return withSnapshot(source, (s) => rowsWhere(s, 'nodes', contains('capabilities', capability)));
}

/** Nodes with GPUs that are available: gpu_count > 0 and gpu_available. */
export function findNodesWithGpu(source: StateSource): Promise<Row[]> {
  return withSnapshot(source, (s) =>
    rowsWhere(s, 'nodes', and(gt('resources.gpu_count', 0), eq('resources.gpu_available', true))),
  );
}

/** A node's use of its resources, as fractions (0 to 1). */
export interface NodeResourceUtilization {
  node_id: string;
  /** cpu_usage / 100. */
  cpu_utilization: number;
  /** 1 - memory_available / memory_total (0 when memory_total is 0). */
  memory_utilization: number;
  /** 1 - disk_free / disk_total (0 when disk_total is 0). */
  disk_utilization: number;
  /** GPUs required by the node's assigned and running tasks / gpu_count; null without GPUs. */
  gpu_utilization: number | null;
}

/** How much of its resources `nodeId` uses, or null for an unknown node. */
export function getNodeResourceUtilization(
  source: StateSource,
  nodeId: string,
): Promise<NodeResourceUtilization | null> {
  return withSnapshot(source, (s) => {
    const node = s.get('nodes', nodeId, ['resources']);
    if (node === null) return null;
    const r = node.resources as Record<string, unknown>;
    const fraction = (part: unknown, total: unknown) => (num(total) > 0 ? 1 - num(part) / num(total) : 0);
    const gpus = num(r.gpu_count);
    let gpu: number | null = null;
    if (gpus > 0) {
      const plan = query('tasks')
        .where(and(eq('assigned_node_id', nodeId), isIn('status', ['assigned', 'running'])))
        .aggregate({ gpus: sum('resources.gpu_cores') })
        .build();
      gpu = num(runQuery(s, plan).rows[0]?.gpus) / gpus;
    }
    return {
      node_id: nodeId,
      cpu_utilization: num(r.cpu_usage) / 100,
      memory_utilization: fraction(r.memory_available, r.memory_total),
      disk_utilization: fraction(r.disk_free, r.disk_total),
      gpu_utilization: gpu,
    };
  });
}
