import { describe, expect, it } from 'vitest';
import type { ClusterState, Snapshot } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';
import { openIn, removeFolder, tempFolder, testClock } from './support.js';

const TASKS = 300;

/**
 * The invariant a reader must never see broken: every node's tasks_assigned equals the number of
 * tasks assigned or running on it. Returns the tasks assigned per node.
 */
function check(s: Snapshot): Map<string, number> {
  const perNode = new Map<string, number>();
  const n = s.count('tasks');
  for (let row = 0; row < n; row++) {
    const t = s.getAt('tasks', row, ['status', 'assigned_node_id']);
    if (t.status === 'assigned' || t.status === 'running') {
      const node = t.assigned_node_id as string;
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    } else {
      expect(t.assigned_node_id).toBeNull();
    }
  }
  for (const node of ['n1', 'n2']) {
    expect(s.get('nodes', node, ['tasks_assigned'])!.tasks_assigned).toBe(perNode.get(node) ?? 0);
  }
  return perNode;
}

describe('assignTask raced from two threads', () => {
  it('gives each task to exactly one scheduler; a concurrent reader always sees task and node count agree', async () => {
    const dir = tempFolder();
    let state: ClusterState | null = await openIn(dir, testClock(), { writer: 'worker' });
    try {
      await state.addNode({ node_id: 'n1' });
      await state.addNode({ node_id: 'n2' });
      const tasks = Array.from({ length: TASKS }, (_, i) => `t${i}`);
      for (const id of tasks) await state.addTask({ task_id: id, task_type: 'race' });
      const workers = ['n1', 'n2'].map((node) =>
        startWorker(new URL('../workers/cluster-assigner.ts', import.meta.url), {
          handle: state!.handle(),
          node,
          // Opposite orders, so that both win some.
          tasks: node === 'n1' ? tasks : [...tasks].reverse(),
        }),
      );
      await Promise.all(workers.map((w) => nextMessage(w, (m) => m === 'ready')));
      const done = workers.map(
        (w) =>
          nextMessage<{ won: string[]; other: string[] } | string>(w, (m) => m !== 'ready') as Promise<{
            won: string[];
            other: string[];
          }>,
      );
      for (const w of workers) w.postMessage('go');
      let finished = false;
      const all = Promise.all(done).finally(() => {
        finished = true;
      });
      let reads = 0;
      while (!finished) {
        const snap = state.snapshot();
        try {
          check(snap);
        } finally {
          snap.release();
        }
        reads++;
        await new Promise((r) => setImmediate(r));
      }
      const [a, b] = await all;
      expect(a!.other).toEqual([]);
      expect(b!.other).toEqual([]);
      expect(reads).toBeGreaterThan(0);
      // Exactly one winner per task.
      expect(a!.won.length + b!.won.length).toBe(TASKS);
      expect(new Set([...a!.won, ...b!.won]).size).toBe(TASKS);
      const final = state.snapshot();
      try {
        const perNode = check(final);
        expect(perNode.get('n1') ?? 0).toBe(a!.won.length);
        expect(perNode.get('n2') ?? 0).toBe(b!.won.length);
        for (const t of a!.won) expect(final.get('tasks', t)!.assigned_node_id).toBe('n1');
      } finally {
        final.release();
      }
      await state.close();
      // The same agreement in the state recovered from the folder.
      state = await openIn(dir, testClock());
      const again = state.snapshot();
      try {
        const perNode = check(again);
        expect(perNode.get('n1') ?? 0).toBe(a!.won.length);
      } finally {
        again.release();
      }
    } finally {
      await state?.close();
      removeFolder(dir);
    }
  }, 60_000);
});
