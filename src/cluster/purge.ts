import { query } from '../query/builder.js';
import { and, isIn, lt } from '../query/expr.js';
import { runQuery } from '../query/merge.js';
import { batch } from '../store/effects.js';
import { type ClusterContext, stamp } from './context.js';
import { FINISHED_STATUSES, invalid } from './defaults.js';

/** Tasks deleted per batch, so that a purge of many stays under the transport's batch size. */
const PURGE_BATCH = 5_000;

/**
 * Deletes the finished tasks (completed, failed, cancelled) whose end_time is older than
 * `olderThanMs`, in batches of at most 5,000 whose preconditions are the statuses read; resolves
 * with the ids purged. Their ids and strings are reclaimed by the engine's dictionary compaction.
 */
export async function purgeFinishedTasks(
  ctx: ClusterContext,
  options: { olderThanMs: number },
): Promise<string[]> {
  const olderThanMs = options?.olderThanMs;
  if (typeof olderThanMs !== 'number' || !(olderThanMs >= 0)) {
    throw invalid(
      `purgeFinishedTasks: olderThanMs must be a number of at least 0, not ${String(olderThanMs)}`,
      {
        table: 'tasks',
        value: olderThanMs,
      },
    );
  }
  const cutoff = ctx.now() - olderThanMs;
  const plan = query('tasks')
    .where(and(isIn('status', [...FINISHED_STATUSES]), lt('end_time', cutoff)))
    .select('task_id', 'status')
    .limit(PURGE_BATCH)
    .build();
  const purged: string[] = [];
  for (;;) {
    let ids: string[] = [];
    await ctx.client.update((s) => {
      const rows = runQuery(s, plan).rows;
      ids = rows.map((r) => r.task_id as string);
      if (rows.length === 0) return null;
      const b = batch();
      for (const r of rows) {
        b.require('tasks', r.task_id as string, { column: 'status', equals: r.status as string }).delete(
          'tasks',
          r.task_id as string,
        );
      }
      return stamp(b, ctx.now());
    });
    purged.push(...ids);
    if (ids.length < PURGE_BATCH) return purged;
  }
}
