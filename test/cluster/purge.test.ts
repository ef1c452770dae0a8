import { describe, expect, it } from 'vitest';
import { liveAndReopened, openIn, rejects, removeFolder, T0, tempFolder, testClock } from './support.js';

describe('ClusterState purgeFinishedTasks', () => {
  it('deletes finished tasks that ended before now - olderThanMs, keeping the rest', async () => {
    let purged: string[] = [];
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1' });
        for (const id of ['done-old', 'failed-old', 'cancelled-old', 'done-new', 'running', 'pending']) {
          await state.addTask({ task_id: id, task_type: 'a' });
        }
        for (const id of ['done-old', 'failed-old', 'done-new', 'running']) {
          await state.assignTask(id, 'n1');
          await state.startTask(id);
        }
        clock.now = T0 + 1_000;
        await state.completeTask('done-old');
        await state.failTask('failed-old', 'x');
        await state.cancelTask('cancelled-old');
        clock.now = T0 + 5_000;
        await state.completeTask('done-new');
        clock.now = T0 + 10_000;
        // Cutoff 10,000 - 6,000 = T0 + 4,000: the three that ended at T0 + 1,000 go.
        purged = await state.purgeFinishedTasks({ olderThanMs: 6_000 });
      },
      async (state) => {
        expect([...purged].sort()).toEqual(['cancelled-old', 'done-old', 'failed-old']);
        for (const id of purged) expect(await state.getTaskInfo(id)).toBeNull();
        for (const id of ['done-new', 'running', 'pending'])
          expect(await state.getTaskInfo(id)).not.toBeNull();
        expect((await state.getNodeInfo('n1'))!.tasks_assigned).toBe(1);
        expect(await state.purgeFinishedTasks({ olderThanMs: 6_000 })).toEqual([]);
      },
    );
  });

  it('purges on an interval when opened with the option', async () => {
    const dir = tempFolder();
    const clock = testClock();
    const state = await openIn(dir, clock, { purgeFinishedTasks: { olderThanMs: 100, intervalMs: 20 } });
    try {
      await state.addTask({ task_id: 't1', task_type: 'a' });
      await state.addTask({ task_id: 't2', task_type: 'a' });
      await state.cancelTask('t1');
      clock.now = T0 + 50;
      await state.cancelTask('t2');
      clock.now = T0 + 120; // t1 ended 120 ms ago, t2 70 ms ago
      const deadline = Date.now() + 5_000;
      while ((await state.getTaskInfo('t1')) !== null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await state.getTaskInfo('t1')).toBeNull();
      expect(await state.getTaskInfo('t2')).not.toBeNull();
      await rejects(state.purgeFinishedTasks({ olderThanMs: -1 }), 'INVALID_ARGUMENT');
    } finally {
      await state.close();
      removeFolder(dir);
    }
  });
});
