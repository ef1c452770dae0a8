import { describe, expect, it } from 'vitest';
import {
  ClusterState,
  findAvailableNodeForTask,
  getClusterMetadata,
  getTaskExecutionMetrics,
} from '../../../src/index.js';

describe('the helpers on a live ClusterState', () => {
  it('read its current state through its snapshot(), metadata included', async () => {
    let now = 1_700_000_000_000;
    const state = await ClusterState.open({
      clusterId: 'c-9',
      nodeId: 'master',
      writer: 'inline',
      clock: () => now,
    });
    await state.addNode({
      node_id: 'small',
      resources: { cpu_count: 2, memory_total: 2 ** 32, memory_available: 2 ** 31 },
    });
    await state.addNode({
      node_id: 'big',
      resources: { cpu_count: 16, memory_total: 2 ** 36, memory_available: 2 ** 35 },
    });
    await state.addTask({ task_id: 't1', task_type: 'train', resources: { cpu_cores: 4, memory_mb: 1024 } });
    await state.addTask({ task_id: 't2', task_type: 'train' });
    await state.assignTask('t2', 'small');
    await state.startTask('t2');
    now += 5_000;
    const v = await state.completeTask('t2', {});

    expect((await findAvailableNodeForTask(state, 't1'))?.node_id).toBe('big');
    expect(await getClusterMetadata(state)).toMatchObject({
      cluster_id: 'c-9',
      master_id: 'master',
      updated_at: now,
      state_version: v,
      node_count: 2,
      task_count: 2,
    });
    expect(await getTaskExecutionMetrics(state)).toMatchObject({
      total_tasks: 2,
      completed_tasks: 1,
      pending_tasks: 1,
      completion_rate: 1,
      average_execution_time: 5,
    });
    await state.close();
  });
});
