import { describe, expect, it } from 'vitest';
import { type Batch, clusterSchema, Store } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';

const now = 1_700_000_000_000;
const resources = {
  cpu_count: 8,
  cpu_usage: 0,
  memory_total: 2 ** 34,
  memory_available: 2 ** 34,
  disk_total: 2 ** 40,
  disk_free: 2 ** 40,
  gpu_count: 0,
  gpu_available: false,
};

describe('a scheduler assignment as one batch', () => {
  it('lets exactly one of two producer threads racing for the same task win', async () => {
    const store = Store.create(clusterSchema);
    store.write((tx) => {
      for (const node_id of ['node-a', 'node-b']) {
        tx.insert('nodes', {
          node_id,
          role: 'worker',
          status: 'online',
          last_heartbeat: now,
          resources,
          capabilities: [],
          peers: [],
          tasks_assigned: 0,
        });
      }
      tx.insert('tasks', {
        task_id: 'task-1',
        task_type: 'train',
        status: 'pending',
        priority: 1,
        submit_time: now,
        resources: { cpu_cores: 1, gpu_cores: 0, memory_mb: 512 },
        input_cids: [],
      });
    });
    const go = new Int32Array(new SharedArrayBuffer(4));
    const producers = ['node-a', 'node-b'].map((node) =>
      startWorker(new URL('../workers/assign-producer.ts', import.meta.url), {
        handle: store.handle(),
        task: 'task-1',
        node,
        go,
      }),
    );
    type Reply = { kind: string; node: string; status: string; assignment: Batch | null };
    const replies = producers.map((w) => nextMessage<Reply>(w, (m) => m.kind === 'batch'));
    // Release both once both are attached and waiting, so both read the task before either applies.
    await Promise.all(producers.map((w) => nextMessage<Reply>(w, (m) => m.kind === 'ready')));
    Atomics.store(go, 0, 1);
    Atomics.notify(go, 0);
    const outcomes: string[] = [];
    // Both decided before either batch is applied: the writer then applies them in turn.
    for (const { status, assignment } of await Promise.all(replies)) {
      // Each producer saw the task pending and built its batch.
      expect(status).toBe('pending');
      try {
        store.apply(assignment!);
        outcomes.push('won');
      } catch (err) {
        outcomes.push((err as { code: string }).code);
      }
    }
    expect(outcomes.sort()).toEqual(['PRECONDITION_FAILED', 'won']);
    store.read((s) => {
      const task = s.get('tasks', 'task-1', ['status', 'assigned_node_id'])!;
      expect(task.status).toBe('assigned');
      const winner = task.assigned_node_id as string;
      const loser = winner === 'node-a' ? 'node-b' : 'node-a';
      expect(s.get('nodes', winner, ['tasks_assigned'])).toEqual({ tasks_assigned: 1 });
      expect(s.get('nodes', loser, ['tasks_assigned'])).toEqual({ tasks_assigned: 0 });
    });
    await Promise.all(producers.map((w) => w.terminate()));
    store.close();
  });
});
