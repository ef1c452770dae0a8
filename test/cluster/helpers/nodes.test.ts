import { describe, expect, it } from 'vitest';
import {
  findNodesByCapability,
  findNodesByRole,
  findNodesWithGpu,
  getAllNodes,
  getNodeById,
  getNodeResourceUtilization,
} from '../../../src/index.js';
import { GIB, NODES, onBoth, sourcesOfFile } from './fixture.js';

const sources = sourcesOfFile();

const ids = (rows: { node_id?: unknown }[]) => rows.map((r) => r.node_id);

describe('node helpers, live and from the folder', () => {
  it('getAllNodes: every row in storage order, as written (int64 as the engine reads them)', async () => {
    const rows = await onBoth(sources, getAllNodes);
    expect(ids(rows)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n0']);
    const n2 = rows[1]!;
    expect(n2).toMatchObject({
      role: 'worker',
      status: 'online',
      capabilities: ['cpu', 'gpu'],
      peers: ['n1', 'n3'],
    });
    expect(Number((n2.resources as Record<string, unknown>).memory_total)).toBe(32 * GIB);
    expect(rows).toHaveLength(NODES.length);
  });

  it('getNodeById: the row, or null', async () => {
    const n4 = await onBoth(sources, (s) => getNodeById(s, 'n4'));
    expect(n4).toMatchObject({ node_id: 'n4', status: 'offline' });
    expect(await onBoth(sources, (s) => getNodeById(s, 'nope'))).toBeNull();
  });

  it('findNodesByRole', async () => {
    expect(ids(await onBoth(sources, (s) => findNodesByRole(s, 'worker')))).toEqual(['n2', 'n3', 'n4', 'n0']);
    expect(ids(await onBoth(sources, (s) => findNodesByRole(s, 'master')))).toEqual(['n1']);
    expect(await onBoth(sources, (s) => findNodesByRole(s, 'astronaut'))).toEqual([]);
  });

  it('findNodesByCapability', async () => {
    expect(ids(await onBoth(sources, (s) => findNodesByCapability(s, 'gpu')))).toEqual(['n2', 'n4', 'n5']);
    expect(await onBoth(sources, (s) => findNodesByCapability(s, 'tpu'))).toEqual([]);
  });

  it('findNodesWithGpu: gpu_count > 0 and gpu_available (n4 has GPUs, none available)', async () => {
    expect(ids(await onBoth(sources, findNodesWithGpu))).toEqual(['n2', 'n5']);
  });

  it('getNodeResourceUtilization: fractions; GPUs of its assigned and running tasks only', async () => {
    // n2: cpu_usage 50; 16 of 32 GiB free; 150 of 200 GiB disk free; t3 (running, 1 GPU) and t7
    // (assigned, 2 GPUs) of its 4 GPUs; t1 (completed) does not count.
    expect(await onBoth(sources, (s) => getNodeResourceUtilization(s, 'n2'))).toEqual({
      node_id: 'n2',
      cpu_utilization: 0.5,
      memory_utilization: 0.5,
      disk_utilization: 0.25,
      gpu_utilization: 0.75,
    });
    expect(await onBoth(sources, (s) => getNodeResourceUtilization(s, 'n1'))).toEqual({
      node_id: 'n1',
      cpu_utilization: 0.1,
      memory_utilization: 0.5,
      disk_utilization: 0.5,
      gpu_utilization: null,
    });
    // GPUs but no task: 0.
    expect((await onBoth(sources, (s) => getNodeResourceUtilization(s, 'n5')))?.gpu_utilization).toBe(0);
    expect(await onBoth(sources, (s) => getNodeResourceUtilization(s, 'nope'))).toBeNull();
  });
});
