import { batch } from '../store/effects.js';
import type { RowInput } from '../store/values.js';
import { type ClusterContext, stamp } from './context.js';
import {
  checkId,
  checkNotManaged,
  checkPartial,
  checkTaskValues,
  invalid,
  parametersOf,
  type TaskResources,
  taskRow,
} from './defaults.js';
import { transition } from './transitions.js';

/** A task as `addTask` takes it; it starts pending, submitted now. */
export interface TaskInput {
  task_id: string;
  task_type: string;
  /** A JSON string, or an object (stored as its JSON). */
  parameters?: string | Record<string, unknown> | null;
  priority?: number;
  /** cpu_cores, gpu_cores, memory_mb: 1, 0, 256 when not given. */
  resources?: Partial<TaskResources>;
  input_cids?: string[];
}

/** What `updateTask` may change: everything but the id and what the transitions manage. */
export type TaskUpdate = Partial<Omit<TaskInput, 'task_id'>> & {
  result_cid?: string | null;
  error_message?: string | null;
};

/** Columns that only the transition methods set. */
const MANAGED = ['task_id', 'status', 'assigned_node_id', 'submit_time', 'start_time', 'end_time'];

export async function addTask(ctx: ClusterContext, input: TaskInput): Promise<number> {
  if (input === null || typeof input !== 'object')
    throw invalid('addTask takes a task object', { table: 'tasks' });
  const now = ctx.now();
  const row = taskRow(input as unknown as Record<string, unknown>, now);
  return ctx.client.submit(stamp(batch().insert('tasks', row), now));
}

/**
 * Adds many tasks as one version, all or nothing: each as `addTask` makes it, submitted now. The
 * writer applies the inserts column by column (a run of inserts in one batch is one insertRows),
 * and one batch costs far less than a batch and a version per task. An empty list changes nothing and
 * resolves to the current version.
 */
export async function addTasks(ctx: ClusterContext, inputs: readonly TaskInput[]): Promise<number> {
  if (!Array.isArray(inputs)) throw invalid('addTasks takes an array of task objects', { table: 'tasks' });
  if (inputs.length === 0) return ctx.client.version;
  const now = ctx.now();
  const b = batch();
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    if (input === null || typeof input !== 'object')
      throw invalid(`addTasks takes task objects; item ${i} is not one`, { table: 'tasks' });
    b.insert('tasks', taskRow(input as unknown as Record<string, unknown>, now));
  }
  return ctx.client.submit(stamp(b, now));
}

export async function updateTask(ctx: ClusterContext, id: string, partial: TaskUpdate): Promise<number> {
  checkId('tasks', 'task_id', id);
  const values = { ...checkPartial('tasks', id, partial) };
  checkNotManaged('tasks', values, MANAGED, id);
  checkTaskValues(values, id);
  if (Object.hasOwn(values, 'parameters')) values.parameters = parametersOf(values.parameters);
  const now = ctx.now();
  return ctx.client.submit(stamp(batch().update('tasks', id, values as RowInput), now));
}

/** pending -> assigned on `nodeId` (which must exist); the node's tasks_assigned + 1. */
export async function assignTask(ctx: ClusterContext, taskId: string, nodeId: string): Promise<number> {
  return transition(ctx, taskId, 'assigned', () => ({}), nodeId);
}

/** assigned -> running; start_time now. */
export async function startTask(ctx: ClusterContext, taskId: string): Promise<number> {
  return transition(ctx, taskId, 'running', (now) => ({ start_time: now }));
}

/** running -> completed; end_time now, result_cid if given; the node's tasks_assigned - 1. */
export async function completeTask(
  ctx: ClusterContext,
  taskId: string,
  options: { result_cid?: string | null } = {},
): Promise<number> {
  const result = options.result_cid;
  if (result !== undefined && result !== null) checkId('tasks', 'result_cid', result);
  return transition(ctx, taskId, 'completed', (now) =>
    result === undefined ? { end_time: now } : { end_time: now, result_cid: result },
  );
}

/** running -> failed; end_time now, error_message; the node's tasks_assigned - 1. */
export async function failTask(ctx: ClusterContext, taskId: string, message: string): Promise<number> {
  if (typeof message !== 'string') {
    throw invalid(`tasks.error_message of ${JSON.stringify(taskId)}: a string, got ${String(message)}`, {
      table: 'tasks',
      column: 'error_message',
      key: taskId,
      value: message,
    });
  }
  return transition(ctx, taskId, 'failed', (now) => ({ end_time: now, error_message: message }));
}

/** pending, assigned or running -> cancelled; end_time now; the node's count - 1 if it had one. */
export async function cancelTask(ctx: ClusterContext, taskId: string): Promise<number> {
  return transition(ctx, taskId, 'cancelled', (now) => ({ end_time: now }));
}
