import { describe, expect, it } from 'vitest';
import {
  clusterSchema,
  getClusterMetadata,
  getClusterState,
  getClusterStateAsArrow,
  getClusterStateAsDict,
  getClusterStatusSummary,
  Store,
} from '../../../src/index.js';
import { META, onBoth, sourcesOfFile } from './fixture.js';

const sources = sourcesOfFile();

describe('cluster-wide helpers, live and from the folder', () => {
  it('getClusterMetadata: the store metadata and the row counts', async () => {
    expect(await onBoth(sources, getClusterMetadata)).toEqual({
      ...META,
      node_count: 6,
      task_count: 10,
      content_count: 6,
    });
  });

  it('getClusterStatusSummary: nodes, resources over all nodes in GiB, tasks by status, content in GiB', async () => {
    expect(await onBoth(sources, getClusterStatusSummary)).toEqual({
      cluster_id: 'cluster-1',
      master_id: 'n1',
      updated_at: META.updated_at,
      nodes: { total: 6, active: 5, by_role: { master: 1, worker: 4, leecher: 1 } },
      resources: {
        cpu_cores: 8 + 16 + 8 + 32 + 4 + 8,
        // n2 (4) and n5 (1) have theirs available; n4's 2 are not.
        gpu_cores: { total: 7, available: 5 },
        memory_gb: { total: 16 + 32 + 16 + 64 + 8 + 16, available: 8 + 16 + 12 + 64 + 8 + 12 },
      },
      tasks: {
        total: 10,
        by_status: { completed: 3, running: 1, failed: 1, pending: 3, assigned: 1, cancelled: 1 },
      },
      content: { total: 6, total_size_gb: 5.5 },
    });
  });

  it('getClusterStateAsDict: metadata and every row', async () => {
    const dict = await onBoth(sources, getClusterStateAsDict);
    expect(dict).toMatchObject(META);
    expect([dict.nodes.length, dict.tasks.length, dict.content.length]).toEqual([6, 10, 6]);
    expect(dict.tasks[9]).toMatchObject({ task_id: 't10', start_time: null });
  });

  it('getClusterState and getClusterStateAsArrow: Arrow copies that outlive the snapshot', async () => {
    for (const source of [sources.live, sources.folder]) {
      const state = await getClusterState(source);
      expect(state.metadata).toEqual(META);
      expect([state.nodes.numRows, state.tasks.numRows, state.content.numRows]).toEqual([6, 10, 6]);
      const arrow = await getClusterStateAsArrow(source);
      // Readable after the helper released its snapshot (and, live, after more writes).
      expect(arrow.tasks.getChild('task_id')?.toArray()).toEqual([
        't1',
        't2',
        't3',
        't4',
        't5',
        't6',
        't7',
        't8',
        't9',
        't10',
      ]);
      expect(arrow.nodes.getChild('role')?.get(0)).toBe('master');
      expect(String(state.content.getChild('cid')?.get(5))).toBe('cidH');
    }
  });

  it('getClusterState copies tables of many row groups whose dictionaries grew between them', async () => {
    const store = Store.create(clusterSchema, { rowGroupSize: 8 });
    const task = (i: number, status: string, inputs: string[]) => ({
      task_id: `t${i}`,
      task_type: `type${i}`,
      status,
      priority: 0,
      submit_time: 0,
      resources: { cpu_cores: 1, gpu_cores: 0, memory_mb: 1 },
      input_cids: inputs,
    });
    store.write((tx) => {
      for (let i = 0; i < 20; i++) tx.insert('tasks', task(i, 'pending', [`c${i}`]));
    });
    store.write((tx) => {
      for (let i = 20; i < 30; i++) tx.insert('tasks', task(i, 'running', [`c${i}`, 'c0']));
    });
    const { tasks } = await getClusterState(store);
    store.close(); // the copy does not alias the store's memory
    expect(tasks.numRows).toBe(30);
    expect(tasks.getChild('task_type')?.get(29)).toBe('type29');
    expect(tasks.getChild('status')?.get(19)).toBe('pending');
    expect([...(tasks.getChild('input_cids')?.get(25) ?? [])]).toEqual(['c25', 'c0']);
  });

  it('an empty state: counts 0, nulls where nothing is set', async () => {
    const store = Store.create(clusterSchema);
    expect(await getClusterMetadata(store)).toEqual({
      cluster_id: null,
      master_id: null,
      updated_at: null,
      // The store version: an empty store is at version 1.
      state_version: 1,
      node_count: 0,
      task_count: 0,
      content_count: 0,
    });
    const summary = await getClusterStatusSummary(store);
    expect(summary.nodes).toEqual({ total: 0, active: 0, by_role: {} });
    expect(summary.resources).toEqual({
      cpu_cores: 0,
      gpu_cores: { total: 0, available: 0 },
      memory_gb: { total: 0, available: 0 },
    });
    expect(summary.content).toEqual({ total: 0, total_size_gb: 0 });
    store.close();
  });
});
