import { describe, expect, it } from 'vitest';
import { ClusterState, StateError } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';
import { liveAndReopened, T0 } from './support.js';

describe.each(['worker', 'inline'] as const)('ClusterState.attach with a %s writer', (writer) => {
  it('gives the same facade in a worker thread: its writes land, with its clock', async () => {
    let reply: Record<string, unknown> = {};
    await liveAndReopened(
      async (state) => {
        await state.addTask({ task_id: 'main-task', task_type: 'main' });
        const w = startWorker(new URL('../workers/cluster-attached.ts', import.meta.url), {
          handle: state.handle(),
        });
        reply = await nextMessage<Record<string, unknown>>(w);
      },
      async (state) => {
        expect(reply.seen).toMatchObject({ task_id: 'main-task', status: 'pending', submit_time: T0 });
        expect(reply.meta).toMatchObject({ cluster_id: 'cluster-1', master_id: 'master-1' });
        expect(reply.checkpoint).toBe('READ_ONLY');
        expect(reply.same).toBe(true);
        expect(await state.getNodeInfo('w1')).toMatchObject({
          role: 'worker',
          last_heartbeat: 5_000,
          tasks_assigned: 1,
          resources: { memory_total: 2 ** 36 },
        });
        expect(await state.getTaskInfo('wt1')).toMatchObject({
          status: 'assigned',
          assigned_node_id: 'w1',
          submit_time: 5_000,
        });
      },
      { writer },
    );
  }, 60_000);

  it('refuses what is not a handle', async () => {
    await expect(ClusterState.attach({ kind: 'nope' } as never)).rejects.toBeInstanceOf(StateError);
  });
});
