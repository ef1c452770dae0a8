import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../src/index.js';
import { openIn, rejects, removeFolder, tempFolder, testClock } from './support.js';

// Every refused task call: a StateError with a stable code, and the state (its version) unchanged.
describe('ClusterState task errors', () => {
  let dir = '';
  let state: ClusterState;

  beforeAll(async () => {
    dir = tempFolder();
    state = await openIn(dir, testClock());
    await state.addNode({ node_id: 'n1' });
    for (const id of ['pending', 'assigned', 'running', 'completed', 'failed', 'cancelled']) {
      await state.addTask({ task_id: id, task_type: 'a' });
    }
    for (const id of ['assigned', 'running', 'completed', 'failed']) await state.assignTask(id, 'n1');
    for (const id of ['running', 'completed', 'failed']) await state.startTask(id);
    await state.completeTask('completed');
    await state.failTask('failed', 'boom');
    await state.cancelTask('cancelled');
  });
  afterAll(async () => {
    await state.close();
    removeFolder(dir);
  });

  async function unchanged(p: Promise<unknown>, code: string, details?: Record<string, unknown>) {
    const before = state.client.version;
    const count = (await state.getNodeInfo('n1'))!.tasks_assigned;
    await rejects(p, code, details);
    expect(state.client.version).toBe(before);
    expect((await state.getNodeInfo('n1'))!.tasks_assigned).toBe(count);
  }

  const illegal: [string, string, (id: string) => Promise<unknown>][] = [
    ['assign', 'pending', (id) => state.assignTask(id, 'n1')],
    ['start', 'assigned', (id) => state.startTask(id)],
    ['complete', 'running', (id) => state.completeTask(id)],
    ['fail', 'running', (id) => state.failTask(id, 'x')],
    ['cancel', 'pending|assigned|running', (id) => state.cancelTask(id)],
  ];
  for (const [name, from, call] of illegal) {
    it(`${name} is refused from every status but ${from}, naming the actual status`, async () => {
      const allowed = from.split('|');
      for (const status of ['pending', 'assigned', 'running', 'completed', 'failed', 'cancelled']) {
        if (allowed.includes(status)) continue;
        await unchanged(call(status), 'PRECONDITION_FAILED', {
          table: 'tasks',
          key: status,
          column: 'status',
          value: status,
        });
      }
    });
  }

  it('refuses unknown tasks and nodes', async () => {
    await unchanged(state.assignTask('nope', 'n1'), 'KEY_NOT_FOUND', { table: 'tasks', key: 'nope' });
    await unchanged(state.assignTask('pending', 'nope'), 'KEY_NOT_FOUND', { table: 'nodes', key: 'nope' });
    await unchanged(state.startTask('nope'), 'KEY_NOT_FOUND');
    await unchanged(state.completeTask('nope'), 'KEY_NOT_FOUND');
    await unchanged(state.failTask('nope', 'x'), 'KEY_NOT_FOUND');
    await unchanged(state.cancelTask('nope'), 'KEY_NOT_FOUND');
    await unchanged(state.updateTask('nope', { priority: 1 }), 'KEY_NOT_FOUND');
  });

  it('refuses a duplicate id, bad types, negative resources and bad arguments', async () => {
    await unchanged(state.addTask({ task_id: 'pending', task_type: 'a' }), 'DUPLICATE_KEY');
    await unchanged(state.addTask({ task_id: 'x', task_type: '' }), 'INVALID_ARGUMENT', {
      column: 'task_type',
    });
    await unchanged(state.addTask({ task_id: '', task_type: 'a' }), 'INVALID_ARGUMENT', {
      column: 'task_id',
    });
    await unchanged(
      state.addTask({ task_id: 'x', task_type: 'a', resources: { memory_mb: -1 } }),
      'INVALID_ARGUMENT',
      { column: 'resources.memory_mb' },
    );
    await unchanged(
      state.addTask({ task_id: 'x', task_type: 'a', resources: { memory_mb: 2 ** 53 } }),
      'OUT_OF_RANGE',
      { table: 'tasks', column: 'resources.memory_mb' },
    );
    await unchanged(
      state.addTask({ task_id: 'x', task_type: 'a', priority: 'high' as unknown as number }),
      'TYPE_MISMATCH',
      { column: 'priority' },
    );
    await unchanged(
      state.addTask({ task_id: 'x', task_type: 'a', parameters: 5 as unknown as string }),
      'INVALID_ARGUMENT',
    );
    await unchanged(state.failTask('running', 5 as unknown as string), 'INVALID_ARGUMENT');
  });

  it('refuses updates of the columns the transitions manage', async () => {
    for (const column of ['status', 'assigned_node_id', 'task_id', 'start_time']) {
      await unchanged(state.updateTask('pending', { [column]: null } as never), 'INVALID_ARGUMENT', {
        column,
      });
    }
    await unchanged(state.updateTask('pending', { resources: { cpu_cores: -2 } }), 'INVALID_ARGUMENT');
    await unchanged(state.updateTask('pending', { nonsense: 1 } as never), 'UNKNOWN_COLUMN');
  });
});
