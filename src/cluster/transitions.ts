import { StateError } from '../errors.js';
import { batch } from '../store/effects.js';
import type { RowInput } from '../store/values.js';
import { type ClusterContext, notFound, stamp } from './context.js';
import { ACTIVE_STATUSES, checkId } from './defaults.js';
import type { TASK_STATUSES } from './schema.js';

/** A task status of the cluster model. */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The legal transitions: pending -> assigned -> running -> completed | failed; pending, assigned or
 * running -> cancelled. Nothing leaves completed, failed or cancelled.
 */
export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['assigned', 'cancelled'],
  assigned: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

const isActive = (s: string) => (ACTIVE_STATUSES as readonly string[]).includes(s);

/**
 * Moves task `taskId` to status `to` as ONE batch: its preconditions are the status (and node) it
 * read, so two callers racing for one task cannot both win; the loser retries on the newer state
 * and is refused there. Entering assigned (with `nodeId`, which must exist) increments the node's
 * `tasks_assigned`; leaving assigned/running for a finished status decrements it, in the same batch.
 * An illegal transition is PRECONDITION_FAILED, its details naming the actual status.
 */
export async function transition(
  ctx: ClusterContext,
  taskId: string,
  to: TaskStatus,
  values: (now: number) => RowInput,
  nodeId?: string,
): Promise<number> {
  checkId('tasks', 'task_id', taskId);
  if (to === 'assigned') checkId('nodes', 'node_id', nodeId);
  return ctx.client.update((s) => {
    const task = s.get('tasks', taskId, ['status', 'assigned_node_id']);
    if (task === null) throw notFound('tasks', taskId);
    const from = task.status as TaskStatus;
    if (!TRANSITIONS[from].includes(to)) {
      const legal = (Object.keys(TRANSITIONS) as TaskStatus[]).filter((k) => TRANSITIONS[k].includes(to));
      throw new StateError(
        'PRECONDITION_FAILED',
        `tasks ${JSON.stringify(taskId)} is ${from}; ${to} is reached only from ${legal.join(' or ')}`,
        { table: 'tasks', key: taskId, column: 'status', value: from },
      );
    }
    const now = ctx.now();
    const b = batch().require('tasks', taskId, { column: 'status', equals: from });
    const current = task.assigned_node_id as string | null;
    if (to === 'assigned') {
      if (s.get('nodes', nodeId!, ['node_id']) === null) throw notFound('nodes', nodeId!);
      b.require('nodes', nodeId!, { exists: true })
        .update('tasks', taskId, { status: 'assigned', assigned_node_id: nodeId!, ...values(now) })
        .increment('nodes', nodeId!, 'tasks_assigned', 1);
    } else {
      b.require('tasks', taskId, { column: 'assigned_node_id', equals: current }).update('tasks', taskId, {
        status: to,
        ...values(now),
      });
      if (isActive(from) && !isActive(to) && current !== null) {
        b.increment('nodes', current, 'tasks_assigned', -1);
      }
    }
    return stamp(b, now);
  });
}
