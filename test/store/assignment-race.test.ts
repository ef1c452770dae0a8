import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { type Batch, clusterSchema, Store } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';

const ROUNDS = 50;
const NODES = ['node-a', 'node-b'];
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

interface BatchMessage {
  kind: 'batch';
  round: number;
  node: string;
  status: string | undefined;
  assignment: Batch | null;
}
interface Done {
  kind: 'done';
  round: number;
  node: string;
  outcome: string;
}

/** The owner's side: applies each producer's batch the moment it arrives and replies with the outcome. */
function serve(store: Store, worker: Worker, statuses: Map<string, string | undefined>): void {
  worker.on('message', (m: BatchMessage | { kind: string }) => {
    if (m.kind !== 'batch') return;
    const { round, node, status, assignment } = m as BatchMessage;
    statuses.set(`${round}/${node}`, status);
    let outcome = 'no batch';
    if (assignment !== null) {
      try {
        store.apply(assignment);
        outcome = 'won';
      } catch (err) {
        outcome = (err as { code: string }).code;
      }
    }
    worker.postMessage({ kind: 'outcome', round, outcome });
  });
}

describe('a scheduler assignment as one batch', () => {
  it('lets exactly one of two producer threads racing on the writer for a task win, every round', async () => {
    const store = Store.create(clusterSchema);
    store.write((tx) => {
      for (const node_id of NODES) {
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
      for (let r = 0; r < ROUNDS; r++) {
        tx.insert('tasks', {
          task_id: `task-${r}`,
          task_type: 'train',
          status: 'pending',
          priority: 1,
          submit_time: now,
          resources: { cpu_cores: 1, gpu_cores: 0, memory_mb: 512 },
          input_cids: [],
        });
      }
    });
    const arrived = new Int32Array(new SharedArrayBuffer(4 * ROUNDS));
    const producers = NODES.map((node) =>
      startWorker(new URL('../workers/assign-producer.ts', import.meta.url), {
        handle: store.handle(),
        node,
        producers: NODES.length,
        arrived,
      }),
    );
    const statuses = new Map<string, string | undefined>();
    try {
      await Promise.all(producers.map((w) => nextMessage(w, (m: { kind: string }) => m.kind === 'ready')));
      for (const w of producers) serve(store, w, statuses);

      const winners: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const done = producers.map((w) =>
          nextMessage<Done>(w, (m) => m.kind === 'done' && m.round === round),
        );
        for (const w of producers) w.postMessage({ kind: 'round', round, task: `task-${round}` });
        const outcomes = await Promise.all(done);
        // Both read the task pending and sent a batch: the writer's order decided.
        for (const node of NODES) expect(statuses.get(`${round}/${node}`), `round ${round}`).toBe('pending');
        expect(outcomes.map((o) => o.outcome).sort(), `round ${round}`).toEqual([
          'PRECONDITION_FAILED',
          'won',
        ]);
        winners.push(outcomes.find((o) => o.outcome === 'won')!.node);
      }

      store.read((s) => {
        for (let round = 0; round < ROUNDS; round++) {
          expect(s.get('tasks', `task-${round}`, ['status', 'assigned_node_id'])).toEqual({
            status: 'assigned',
            assigned_node_id: winners[round],
          });
        }
        const counts = NODES.map((node) => s.get('nodes', node, ['tasks_assigned'])!.tasks_assigned);
        expect(counts).toEqual(NODES.map((node) => winners.filter((w) => w === node).length));
        expect(counts.reduce((a, b) => (a as number) + (b as number), 0)).toBe(ROUNDS);
      });
    } finally {
      for (const w of producers) w.postMessage({ kind: 'stop' });
      await Promise.all(producers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
      store.close();
    }
  });
});
