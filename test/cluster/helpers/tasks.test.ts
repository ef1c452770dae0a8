import { describe, expect, it } from 'vitest';
import {
  estimateTimeToCompletion,
  findTasksByNode,
  findTasksByResourceRequirements,
  findTasksByStatus,
  findTasksByType,
  getAllTasks,
  getTaskById,
  getTaskExecutionMetrics,
} from '../../../src/index.js';
import { onBoth, sourcesOfFile, T } from './fixture.js';

const sources = sourcesOfFile();

const ids = (rows: { task_id?: unknown }[]) => rows.map((r) => r.task_id);

describe('task helpers, live and from the folder', () => {
  it('getAllTasks and getTaskById', async () => {
    expect(ids(await onBoth(sources, getAllTasks))).toEqual([
      't1',
      't2',
      't3',
      't4',
      't5',
      't6',
      't7',
      't8',
      't9',
      't10',
    ]);
    const t4 = await onBoth(sources, (s) => getTaskById(s, 't4'));
    expect(t4).toMatchObject({
      status: 'failed',
      error_message: 'boom',
      start_time: T + 1000,
      end_time: T + 5000,
    });
    expect(await onBoth(sources, (s) => getTaskById(s, 'nope'))).toBeNull();
  });

  it('findTasksByStatus, findTasksByType, findTasksByNode', async () => {
    expect(ids(await onBoth(sources, (s) => findTasksByStatus(s, 'pending')))).toEqual(['t5', 't6', 't9']);
    expect(ids(await onBoth(sources, (s) => findTasksByType(s, 'training')))).toEqual(['t4', 't5', 't10']);
    expect(ids(await onBoth(sources, (s) => findTasksByNode(s, 'n2')))).toEqual(['t1', 't3', 't7']);
    expect(await onBoth(sources, (s) => findTasksByStatus(s, 'lost'))).toEqual([]);
    expect(await onBoth(sources, (s) => findTasksByNode(s, 'n5'))).toEqual([]);
  });

  it('findTasksByResourceRequirements: at least each given minimum', async () => {
    expect(ids(await onBoth(sources, (s) => findTasksByResourceRequirements(s, { gpu_cores: 1 })))).toEqual([
      't3',
      't6',
      't7',
    ]);
    expect(
      ids(await onBoth(sources, (s) => findTasksByResourceRequirements(s, { cpu_cores: 2, memory_mb: 512 }))),
    ).toEqual(['t3', 't5', 't6']);
    expect(await onBoth(sources, (s) => findTasksByResourceRequirements(s, {}))).toHaveLength(10);
    expect(await onBoth(sources, (s) => findTasksByResourceRequirements(s, { cpu_cores: 64 }))).toEqual([]);
  });

  it('getTaskExecutionMetrics: counts, completion rate, average over completed tasks with both times', async () => {
    // completed t1 (10 s), t2 (30 s), t10 (no start: not in the average); failed t4; pending t5,
    // t6, t9; assigned t7 and running t3; cancelled t8.
    expect(await onBoth(sources, getTaskExecutionMetrics)).toEqual({
      total_tasks: 10,
      completed_tasks: 3,
      failed_tasks: 1,
      pending_tasks: 3,
      running_tasks: 2,
      completion_rate: 0.75,
      average_execution_time: 20,
      task_types: { inference: 6, training: 3, render: 1 },
    });
  });

  it('estimateTimeToCompletion: the type average, less the elapsed time when running', async () => {
    const at = (id: string, now = T + 55_000) =>
      onBoth(sources, (s) => estimateTimeToCompletion(s, id, { now }));
    expect(await at('t6')).toBe(20); // pending inference
    expect(await at('t7')).toBe(20); // assigned inference
    expect(await at('t3')).toBe(15); // running since T + 50 s, now T + 55 s
    expect(await at('t3', T + 100_000)).toBe(0); // past the average
    expect(await at('t1')).toBe(0); // completed
    expect(await at('t4')).toBe(0); // failed (its type has no average: finished first)
    expect(await at('t5')).toBeNull(); // training: no completed task with both times
    expect(await at('nope')).toBeNull();
  });
});
