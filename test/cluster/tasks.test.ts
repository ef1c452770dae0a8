import { describe, expect, it } from 'vitest';
import { assignedCount, liveAndReopened, T0 } from './support.js';

describe('ClusterState tasks', () => {
  it('addTask stores a pending task submitted now, with default resources', async () => {
    await liveAndReopened(
      async (state, clock) => {
        clock.now = T0 + 10;
        await state.addTask({ task_id: 't1', task_type: 'ipfs-pin' });
        clock.now = T0 + 20;
        await state.addTask({
          task_id: 't2',
          task_type: 'train',
          parameters: { epochs: 3 },
          priority: 7,
          resources: { cpu_cores: 4, memory_mb: 2 ** 40 },
          input_cids: ['bafy-a', 'bafy-b'],
        });
      },
      async (state) => {
        expect(await state.getTaskInfo('t1')).toEqual({
          task_id: 't1',
          task_type: 'ipfs-pin',
          status: 'pending',
          parameters: null,
          priority: 0,
          assigned_node_id: null,
          submit_time: T0 + 10,
          start_time: null,
          end_time: null,
          result_cid: null,
          error_message: null,
          resources: { cpu_cores: 1, gpu_cores: 0, memory_mb: 256 },
          input_cids: [],
        });
        expect(await state.getTaskInfo('t2')).toMatchObject({
          parameters: '{"epochs":3}',
          priority: 7,
          submit_time: T0 + 20,
          resources: { cpu_cores: 4, gpu_cores: 0, memory_mb: 1099511627776 },
          input_cids: ['bafy-a', 'bafy-b'],
        });
        expect(await state.getTaskInfo('absent')).toBeNull();
      },
    );
  });

  it('updateTask changes the given columns only', async () => {
    await liveAndReopened(
      async (state) => {
        await state.addTask({ task_id: 't1', task_type: 'a', resources: { gpu_cores: 1 } });
        await state.updateTask('t1', {
          priority: 3,
          parameters: '{"x":1}',
          resources: { memory_mb: 512 },
          input_cids: ['c'],
        });
      },
      async (state) => {
        expect(await state.getTaskInfo('t1')).toMatchObject({
          status: 'pending',
          priority: 3,
          parameters: '{"x":1}',
          resources: { cpu_cores: 1, gpu_cores: 1, memory_mb: 512 },
          input_cids: ['c'],
        });
      },
    );
  });

  it('assign -> start -> complete sets node, times and result; the node count goes 0 -> 1 -> 1 -> 0', async () => {
    const counts: number[] = [];
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1' });
        await state.addTask({ task_id: 't1', task_type: 'a' });
        counts.push(await assignedCount(state, 'n1'));
        await state.assignTask('t1', 'n1');
        counts.push(await assignedCount(state, 'n1'));
        clock.now = T0 + 1_000;
        await state.startTask('t1');
        counts.push(await assignedCount(state, 'n1'));
        clock.now = T0 + 4_000;
        await state.completeTask('t1', { result_cid: 'bafy-out' });
        counts.push(await assignedCount(state, 'n1'));
      },
      async (state) => {
        expect(counts).toEqual([0, 1, 1, 0]);
        expect(await state.getTaskInfo('t1')).toMatchObject({
          status: 'completed',
          assigned_node_id: 'n1',
          submit_time: T0,
          start_time: T0 + 1_000,
          end_time: T0 + 4_000,
          result_cid: 'bafy-out',
          error_message: null,
        });
        expect(await assignedCount(state, 'n1')).toBe(0);
      },
    );
  });

  it('failTask records the message and end time and decrements the node', async () => {
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1' });
        await state.addTask({ task_id: 't1', task_type: 'a' });
        await state.addTask({ task_id: 't2', task_type: 'a' });
        await state.assignTask('t1', 'n1');
        await state.assignTask('t2', 'n1');
        await state.startTask('t1');
        clock.now = T0 + 7;
        await state.failTask('t1', 'out of disk');
      },
      async (state) => {
        expect(await state.getTaskInfo('t1')).toMatchObject({
          status: 'failed',
          end_time: T0 + 7,
          error_message: 'out of disk',
          result_cid: null,
        });
        expect(await assignedCount(state, 'n1')).toBe(1);
      },
    );
  });

  it('cancelTask from pending, assigned and running; only the last two decrement', async () => {
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1' });
        for (const id of ['p', 'a', 'r', 'keep']) await state.addTask({ task_id: id, task_type: 'a' });
        for (const id of ['a', 'r', 'keep']) await state.assignTask(id, 'n1');
        await state.startTask('r');
        expect(await assignedCount(state, 'n1')).toBe(3);
        clock.now = T0 + 9;
        await state.cancelTask('p');
        await state.cancelTask('a');
        await state.cancelTask('r');
      },
      async (state) => {
        for (const id of ['p', 'a', 'r']) {
          expect(await state.getTaskInfo(id)).toMatchObject({ status: 'cancelled', end_time: T0 + 9 });
        }
        expect((await state.getTaskInfo('p'))!.assigned_node_id).toBeNull();
        expect(await assignedCount(state, 'n1')).toBe(1);
      },
    );
  });
});
