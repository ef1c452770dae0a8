import { and, eq, gte } from '../../query/index.js';
import type { Expr } from '../../query/plan.js';
import type { Row } from '../../store/values.js';
import { allRows, countsBy, num, rowsWhere } from './rows.js';
import { completedDurations } from './scan.js';
import { type StateSource, withSnapshot } from './source.js';

/** Every task row, in storage order. */
export function getAllTasks(source: StateSource): Promise<Row[]> {
  return withSnapshot(source, (s) => allRows(s, 'tasks'));
}

/** The task row of `taskId`, or null. */
export function getTaskById(source: StateSource, taskId: string): Promise<Row | null> {
  return withSnapshot(source, (s) => s.get('tasks', taskId));
}

/** Tasks whose status is `status`. */
export function findTasksByStatus(source: StateSource, status: string): Promise<Row[]> {
  return withSnapshot(source, (s) => rowsWhere(s, 'tasks', eq('status', status)));
}

/** Tasks whose type is `taskType`. */
export function findTasksByType(source: StateSource, taskType: string): Promise<Row[]> {
  return withSnapshot(source, (s) => rowsWhere(s, 'tasks', eq('task_type', taskType)));
}

/** Tasks assigned to `nodeId` (whatever their status). */
export function findTasksByNode(source: StateSource, nodeId: string): Promise<Row[]> {
  return withSnapshot(source, (s) => rowsWhere(s, 'tasks', eq('assigned_node_id', nodeId)));
}

/** Minimum resources a task requires; the fields left out are not checked. */
export interface ResourceRequirements {
  cpu_cores?: number;
  gpu_cores?: number;
  memory_mb?: number;
}

/** Tasks whose resources are at least each given minimum (every task when none is given). */
export function findTasksByResourceRequirements(
  source: StateSource,
  minimum: ResourceRequirements,
): Promise<Row[]> {
  return withSnapshot(source, (s) => {
    const args: Expr[] = [];
    for (const field of ['cpu_cores', 'gpu_cores', 'memory_mb'] as const) {
      const v = minimum[field];
      if (v !== undefined) args.push(gte(`resources.${field}`, v));
    }
    return args.length === 0 ? allRows(s, 'tasks') : rowsWhere(s, 'tasks', and(...args));
  });
}

/** What getTaskExecutionMetrics reports. */
export interface TaskExecutionMetrics {
  total_tasks: number;
  completed_tasks: number;
  failed_tasks: number;
  pending_tasks: number;
  /** assigned + running. */
  running_tasks: number;
  /** completed / (completed + failed), or 0 when neither. */
  completion_rate: number;
  /** Seconds, over completed tasks with both start and end times; 0 when none. */
  average_execution_time: number;
  /** Tasks counted by type. */
  task_types: Record<string, number>;
}

/** Counts of tasks by status and type, completion rate and average execution time. */
export function getTaskExecutionMetrics(source: StateSource): Promise<TaskExecutionMetrics> {
  return withSnapshot(source, (s) => {
    const byStatus = countsBy(s, 'tasks', 'status');
    const c = (status: string) => byStatus[status] ?? 0;
    const completed = c('completed');
    const failed = c('failed');
    const { n, ms } = completedDurations(s);
    let timed = 0;
    let total = 0;
    for (let t = 0; t < n.length; t++) {
      timed += n[t]!;
      total += ms[t]!;
    }
    return {
      total_tasks: s.count('tasks'),
      completed_tasks: completed,
      failed_tasks: failed,
      pending_tasks: c('pending'),
      running_tasks: c('assigned') + c('running'),
      completion_rate: completed + failed > 0 ? completed / (completed + failed) : 0,
      average_execution_time: timed > 0 ? total / timed / 1000 : 0,
      task_types: countsBy(s, 'tasks', 'task_type'),
    };
  });
}

/**
 * Seconds until `taskId` completes, from the average execution time of completed tasks of its type:
 * null for an unknown task or when no completed task of its type (with both times) exists; 0 when
 * it is not pending, assigned or running; the average when pending or assigned; max(0, average -
 * elapsed) when running (elapsed since its start_time, at `options.now`, default Date.now()).
 */
export function estimateTimeToCompletion(
  source: StateSource,
  taskId: string,
  options: { now?: number } = {},
): Promise<number | null> {
  const now = options.now ?? Date.now();
  return withSnapshot(source, (s) => {
    const task = s.get('tasks', taskId, ['task_type', 'status', 'start_time']);
    if (task === null) return null;
    const status = task.status as string;
    if (status !== 'pending' && status !== 'assigned' && status !== 'running') return 0;
    const type = s.codeOf('task_type', task.task_type as string);
    const { n, ms } = completedDurations(s);
    if (!(n[type]! > 0)) return null;
    const average = ms[type]! / n[type]! / 1000;
    if (status !== 'running' || task.start_time === null) return average;
    return Math.max(0, average - (now - num(task.start_time)) / 1000);
  });
}
