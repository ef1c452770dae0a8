import { describe, expect, it } from 'vitest';
import { liveAndReopened, T0, WORKER } from './support.js';

describe('ClusterState nodes', () => {
  it('addNode stores the row with defaults filled, byte counts as numbers', async () => {
    await liveAndReopened(
      async (state, clock) => {
        clock.now = T0 + 5;
        await state.addNode({
          ...WORKER,
          resources: { ...WORKER.resources },
          capabilities: [...WORKER.capabilities],
          peers: [...WORKER.peers],
        });
        clock.now = T0 + 6;
        await state.addNode({ node_id: 'bare' });
      },
      async (state) => {
        expect(await state.getNodeInfo('n1')).toEqual({
          node_id: 'n1',
          peer_id: 'peer-1',
          role: 'worker',
          address: '10.0.0.1:4001',
          status: 'online',
          last_heartbeat: T0 + 5,
          resources: {
            cpu_count: 8,
            cpu_usage: 25,
            memory_total: 17179869184,
            memory_available: 8589934592,
            disk_total: 1099511627776,
            disk_free: 549755813888,
            gpu_count: 2,
            gpu_available: true,
          },
          capabilities: ['gpu', 'storage'],
          peers: ['n2'],
          tasks_assigned: 0,
        });
        const n1 = (await state.getNodeInfo('n1'))!;
        expect((n1.resources as { memory_total: number }).memory_total / 2 ** 30).toBe(16);
        expect(await state.getNodeInfo('bare')).toEqual({
          node_id: 'bare',
          peer_id: null,
          role: 'worker',
          address: null,
          status: 'online',
          last_heartbeat: T0 + 6,
          resources: {
            cpu_count: 0,
            cpu_usage: 0,
            memory_total: 0,
            memory_available: 0,
            disk_total: 0,
            disk_free: 0,
            gpu_count: 0,
            gpu_available: false,
          },
          capabilities: [],
          peers: [],
          tasks_assigned: 0,
        });
        expect(await state.getNodeInfo('absent')).toBeNull();
      },
    );
  });

  it('updateNode changes the given columns only (resources field by field)', async () => {
    await liveAndReopened(
      async (state) => {
        await state.addNode({
          ...WORKER,
          resources: { ...WORKER.resources },
          capabilities: ['gpu'],
          peers: [],
        });
        await state.updateNode('n1', {
          role: 'leecher',
          address: null,
          resources: { disk_free: 1000, cpu_usage: 50 },
        });
      },
      async (state) => {
        const n = (await state.getNodeInfo('n1'))!;
        expect(n).toMatchObject({ role: 'leecher', address: null, peer_id: 'peer-1', status: 'online' });
        expect(n.resources).toEqual({ ...WORKER.resources, disk_free: 1000, cpu_usage: 50 });
      },
    );
  });

  it('heartbeat sets last_heartbeat from the clock, status online, and the resources given', async () => {
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1', resources: { memory_total: 1000, memory_available: 900 } });
        await state.updateNode('n1', { status: 'offline' });
        clock.now = T0 + 60_000;
        await state.heartbeat('n1', { memory_available: 400, cpu_usage: 75 });
        clock.now = T0 + 61_000;
        await state.heartbeat('n1');
      },
      async (state) => {
        const n = (await state.getNodeInfo('n1'))!;
        expect(n.status).toBe('online');
        expect(n.last_heartbeat).toBe(T0 + 61_000);
        expect(n.resources).toMatchObject({ memory_total: 1000, memory_available: 400, cpu_usage: 75 });
      },
    );
  });

  it('removeNode deletes a node without tasks', async () => {
    await liveAndReopened(
      async (state) => {
        await state.addNode({ node_id: 'n1' });
        await state.addNode({ node_id: 'n2' });
        await state.removeNode('n1');
      },
      async (state) => {
        expect(await state.getNodeInfo('n1')).toBeNull();
        expect(await state.getNodeInfo('n2')).not.toBeNull();
      },
    );
  });

  it('removeNode with returnTasks sends its assigned and running tasks back to pending', async () => {
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1' });
        await state.addNode({ node_id: 'n2' });
        for (const id of ['t1', 't2', 't3', 't4'])
          await state.addTask({ task_id: id, task_type: 'ipfs-pin' });
        await state.assignTask('t1', 'n1');
        await state.assignTask('t2', 'n1');
        clock.now = T0 + 100;
        await state.startTask('t2');
        await state.assignTask('t3', 'n2');
        await state.assignTask('t4', 'n1');
        await state.startTask('t4');
        await state.completeTask('t4');
        await state.removeNode('n1', { returnTasks: true });
      },
      async (state) => {
        expect(await state.getNodeInfo('n1')).toBeNull();
        for (const id of ['t1', 't2']) {
          expect(await state.getTaskInfo(id)).toMatchObject({
            status: 'pending',
            assigned_node_id: null,
            start_time: null,
          });
        }
        // Other nodes' tasks and finished tasks keep their node.
        expect(await state.getTaskInfo('t3')).toMatchObject({ status: 'assigned', assigned_node_id: 'n2' });
        expect(await state.getTaskInfo('t4')).toMatchObject({ status: 'completed', assigned_node_id: 'n1' });
        expect((await state.getNodeInfo('n2'))!.tasks_assigned).toBe(1);
      },
    );
  });
});
