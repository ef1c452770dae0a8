import { describe, expect, it } from 'vitest';
import { liveAndReopened, rejects, T0 } from './support.js';

describe('ClusterState.addTasks', () => {
  it('adds every task as addTask would, in one version, and they come back from the log', async () => {
    const tasks = Array.from({ length: 300 }, (_, i) => ({
      task_id: `t-${i}`,
      task_type: i % 2 === 0 ? 'pin' : 'train',
      priority: i % 10,
      input_cids: i % 3 === 0 ? [`cid-${i}`, 'cid-shared'] : [],
      ...(i % 5 === 0 ? { parameters: { i } } : {}),
    }));
    await liveAndReopened(
      async (state, clock) => {
        clock.now = T0 + 5;
        const before = (await state.addTask({ task_id: 'first', task_type: 'pin' })) as number;
        clock.now = T0 + 7;
        expect(await state.addTasks(tasks)).toBe(before + 1);
        expect(await state.addTasks([])).toBe(before + 1);
      },
      async (state) => {
        expect(await state.getTaskInfo('t-0')).toEqual({
          task_id: 't-0',
          task_type: 'pin',
          status: 'pending',
          parameters: '{"i":0}',
          priority: 0,
          assigned_node_id: null,
          submit_time: T0 + 7,
          start_time: null,
          end_time: null,
          result_cid: null,
          error_message: null,
          resources: { cpu_cores: 1, gpu_cores: 0, memory_mb: 256 },
          input_cids: ['cid-0', 'cid-shared'],
        });
        expect(await state.getTaskInfo('t-299')).toMatchObject({
          task_type: 'train',
          priority: 9,
          input_cids: [],
        });
        expect(await state.getTaskInfo('first')).toMatchObject({ submit_time: T0 + 5 });
      },
    );
  });

  it('adds none when one fails: a duplicate id, or a task without a type', async () => {
    await liveAndReopened(
      async (state) => {
        await state.addTask({ task_id: 'dup', task_type: 'pin' });
        const many = Array.from({ length: 100 }, (_, i) => ({ task_id: `n-${i}`, task_type: 'pin' }));
        await rejects(state.addTasks([...many, { task_id: 'dup', task_type: 'pin' }]), 'DUPLICATE_KEY', {
          key: 'dup',
        });
        await rejects(state.addTasks([...many, { task_id: 'x' } as never]), 'INVALID_ARGUMENT');
      },
      async (state) => {
        expect(await state.getTaskInfo('n-0')).toBeNull();
        expect(await state.getTaskInfo('n-99')).toBeNull();
      },
    );
  });
});
