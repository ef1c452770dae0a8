import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../src/index.js';
import { openIn, rejects, removeFolder, tempFolder, testClock } from './support.js';

// Every refused node call: a StateError with a stable code, and the state (its version) unchanged.
describe('ClusterState node errors', () => {
  let dir = '';
  let state: ClusterState;

  beforeAll(async () => {
    dir = tempFolder();
    state = await openIn(dir, testClock());
    await state.addNode({ node_id: 'n1' });
    await state.addTask({ task_id: 't1', task_type: 'a' });
    await state.assignTask('t1', 'n1');
  });
  afterAll(async () => {
    await state.close();
    removeFolder(dir);
  });

  async function unchanged(p: Promise<unknown>, code: string, details?: Record<string, unknown>) {
    const before = state.client.version;
    await rejects(p, code, details);
    expect(state.client.version).toBe(before);
  }

  it('refuses duplicate and unknown ids', async () => {
    await unchanged(state.addNode({ node_id: 'n1' }), 'DUPLICATE_KEY', { table: 'nodes' });
    await unchanged(state.updateNode('nope', { role: 'master' }), 'KEY_NOT_FOUND', { table: 'nodes' });
    await unchanged(state.removeNode('nope'), 'KEY_NOT_FOUND', { table: 'nodes', key: 'nope' });
    await unchanged(state.heartbeat('nope'), 'KEY_NOT_FOUND', { table: 'nodes' });
    await unchanged(state.getNodeInfo(7 as unknown as string), 'INVALID_ARGUMENT');
  });

  it('refuses bad roles and statuses, negative sizes and wrong types', async () => {
    await unchanged(state.addNode({ node_id: 'x', role: 'boss' as never }), 'INVALID_ARGUMENT', {
      column: 'role',
      value: 'boss',
    });
    await unchanged(state.addNode({ node_id: 'x', status: 'asleep' as never }), 'INVALID_ARGUMENT', {
      column: 'status',
    });
    await unchanged(state.updateNode('n1', { role: 'boss' as never }), 'INVALID_ARGUMENT', {
      column: 'role',
    });
    await unchanged(state.addNode({ node_id: 'x', resources: { disk_free: -1 } }), 'INVALID_ARGUMENT', {
      column: 'resources.disk_free',
    });
    await unchanged(state.heartbeat('n1', { memory_available: -5 }), 'INVALID_ARGUMENT');
    await unchanged(state.addNode({ node_id: 'x', resources: { memory_total: 2 ** 60 } }), 'OUT_OF_RANGE', {
      table: 'nodes',
      column: 'resources.memory_total',
    });
    await unchanged(
      state.addNode({ node_id: 'x', resources: { cpu_count: '8' as unknown as number } }),
      'TYPE_MISMATCH',
      { column: 'resources.cpu_count' },
    );
    await unchanged(state.addNode({ node_id: 'x', peers: 'n2' as unknown as string[] }), 'TYPE_MISMATCH');
    await unchanged(state.updateNode('n1', { tasks_assigned: 0 } as never), 'INVALID_ARGUMENT', {
      column: 'tasks_assigned',
    });
    await unchanged(state.markOfflineNodes(-1), 'INVALID_ARGUMENT');
  });

  it('refuses to remove a node with assigned tasks unless told to return them', async () => {
    await unchanged(state.removeNode('n1'), 'PRECONDITION_FAILED', { column: 'tasks_assigned', value: 1 });
    expect(await state.getNodeInfo('n1')).not.toBeNull();
    expect((await state.getTaskInfo('t1'))!.status).toBe('assigned');
  });
});
