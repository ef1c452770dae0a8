import { StateError } from '../errors.js';
import type { RowInput, Value } from '../store/values.js';
import { NODE_ROLES, TASK_STATUSES } from './schema.js';

/*
 * The rows the cluster facade writes: the defaults of the seed for what a caller leaves out, and
 * the checks the schema cannot express (roles, statuses, sizes that must not be negative). Types
 * are the engine's to check (TYPE_MISMATCH, OUT_OF_RANGE with table and column).
 */

/** Version of the cluster model that the facade writes into the store metadata. */
export const CLUSTER_SCHEMA_VERSION = 1;

/** Node statuses: `online` when added or heard from, `offline` when its heartbeat is too old. */
export const NODE_STATUSES = ['online', 'offline', 'busy'] as const;

/** Pin statuses of content (`pinned` when not given). */
export const PIN_STATUSES = ['pinned', 'pinning', 'unpinned', 'failed'] as const;

/** Task statuses after which a task never changes again (purged by `purgeFinishedTasks`). */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled'] as const;

/** Task statuses that count on their node's `tasks_assigned`. */
export const ACTIVE_STATUSES = ['assigned', 'running'] as const;

/** Node resources as rows read and write them (byte counts are plain numbers). */
export interface NodeResources {
  cpu_count: number;
  cpu_usage: number;
  memory_total: number;
  memory_available: number;
  disk_total: number;
  disk_free: number;
  gpu_count: number;
  gpu_available: boolean;
}

/** Task resources: `cpu_cores`, `gpu_cores`, `memory_mb` (1, 0, 256 when not given). */
export interface TaskResources {
  cpu_cores: number;
  gpu_cores: number;
  memory_mb: number;
}

export const NODE_RESOURCE_DEFAULTS: NodeResources = {
  cpu_count: 0,
  cpu_usage: 0,
  memory_total: 0,
  memory_available: 0,
  disk_total: 0,
  disk_free: 0,
  gpu_count: 0,
  gpu_available: false,
};

export const TASK_RESOURCE_DEFAULTS: TaskResources = { cpu_cores: 1, gpu_cores: 0, memory_mb: 256 };

export function invalid(
  message: string,
  details: { table?: string; column?: string; key?: string; value?: unknown },
) {
  return new StateError('INVALID_ARGUMENT', message, details);
}

/** Checks an id argument: a non-empty string. */
export function checkId(table: string, column: string, id: unknown): string {
  if (typeof id !== 'string' || id === '') {
    throw invalid(`${table}.${column}: an id is a non-empty string, not ${String(id)}`, {
      table,
      column,
      value: id,
    });
  }
  return id;
}

/** Checks that `value` is one of `allowed` (when given). */
export function checkOneOf(
  table: string,
  column: string,
  value: unknown,
  allowed: readonly string[],
  key?: string,
): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalid(`${table}.${column}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, {
      table,
      column,
      key,
      value,
    });
  }
}

/** Refuses negative numbers among the given fields of `values` (sizes, counts). */
export function checkNotNegative(
  table: string,
  column: string,
  values: Record<string, unknown> | undefined,
  fields: readonly string[],
  key?: string,
): void {
  if (values === undefined || values === null || typeof values !== 'object') return;
  for (const f of fields) {
    const v = values[f];
    if ((typeof v === 'number' || typeof v === 'bigint') && v < 0) {
      const name = column === '' ? f : `${column}.${f}`;
      throw invalid(`${table}.${name}: must not be negative, got ${String(v)}`, {
        table,
        column: name,
        key,
        value: v,
      });
    }
  }
}

/** Refuses fields that only the facade's own methods may set. */
export function checkNotManaged(
  table: string,
  partial: object,
  managed: readonly string[],
  key: string,
): void {
  for (const f of managed) {
    if (Object.hasOwn(partial, f)) {
      throw invalid(
        `${table}.${f} of ${JSON.stringify(key)} is managed by the facade; it cannot be updated directly`,
        {
          table,
          column: f,
          key,
        },
      );
    }
  }
}

/** Checks that a partial update is a plain object. */
export function checkPartial(table: string, key: string, partial: unknown): Record<string, unknown> {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw invalid(`${table}: the changes of ${JSON.stringify(key)} must be an object`, {
      table,
      key,
      value: partial,
    });
  }
  return partial as Record<string, unknown>;
}

export const NODE_RESOURCE_FIELDS_NOT_NEGATIVE = [
  'cpu_count',
  'cpu_usage',
  'memory_total',
  'memory_available',
  'disk_total',
  'disk_free',
  'gpu_count',
] as const;

export const TASK_RESOURCE_FIELDS = ['cpu_cores', 'gpu_cores', 'memory_mb'] as const;

/** The checks of a node's values (a whole row or a partial one). */
export function checkNodeValues(values: Record<string, unknown>, key: string): void {
  checkOneOf('nodes', 'role', values.role, NODE_ROLES, key);
  checkOneOf('nodes', 'status', values.status, NODE_STATUSES, key);
  checkNotNegative(
    'nodes',
    'resources',
    values.resources as Record<string, unknown>,
    NODE_RESOURCE_FIELDS_NOT_NEGATIVE,
    key,
  );
}

/** The checks of a task's values (a whole row or a partial one). */
export function checkTaskValues(values: Record<string, unknown>, key: string): void {
  checkNotNegative(
    'tasks',
    'resources',
    values.resources as Record<string, unknown>,
    TASK_RESOURCE_FIELDS,
    key,
  );
}

/** The checks of a content row's values (a whole row or a partial one). */
export function checkContentValues(values: Record<string, unknown>, key: string): void {
  checkOneOf('content', 'pin_status', values.pin_status, PIN_STATUSES, key);
  checkNotNegative('content', '', values, ['size', 'replication_factor'], key);
}

/** `parameters` as stored: a JSON string (an object is stringified), or null. */
export function parametersOf(p: unknown): Value | undefined {
  if (p === undefined) return undefined;
  if (p === null || typeof p === 'string') return p;
  if (typeof p === 'object') return JSON.stringify(p);
  throw invalid(`tasks.parameters: expected a JSON string or an object, got ${String(p)}`, {
    table: 'tasks',
    column: 'parameters',
    value: p,
  });
}

/** The stored row of a new node. */
export function nodeRow(input: Record<string, unknown>, now: number): RowInput {
  const id = checkId('nodes', 'node_id', input.node_id);
  checkNodeValues(input, id);
  return {
    node_id: id,
    peer_id: (input.peer_id as Value | undefined) ?? null,
    role: (input.role as Value | undefined) ?? 'worker',
    address: (input.address as Value | undefined) ?? null,
    status: (input.status as Value | undefined) ?? 'online',
    last_heartbeat: now,
    resources: {
      ...NODE_RESOURCE_DEFAULTS,
      ...((input.resources as object | undefined) ?? {}),
    } as RowInput[string],
    capabilities: (input.capabilities as Value | undefined) ?? [],
    peers: (input.peers as Value | undefined) ?? [],
    tasks_assigned: 0,
  };
}

/** The stored row of a new task: pending, submitted now. */
export function taskRow(input: Record<string, unknown>, now: number): RowInput {
  const id = checkId('tasks', 'task_id', input.task_id);
  if (typeof input.task_type !== 'string' || input.task_type === '') {
    throw invalid(
      `tasks.task_type of ${JSON.stringify(id)}: a non-empty string, got ${String(input.task_type)}`,
      {
        table: 'tasks',
        column: 'task_type',
        key: id,
        value: input.task_type,
      },
    );
  }
  checkTaskValues(input, id);
  return {
    task_id: id,
    task_type: input.task_type,
    status: 'pending',
    parameters: parametersOf(input.parameters) ?? null,
    priority: (input.priority as Value | undefined) ?? 0,
    assigned_node_id: null,
    submit_time: now,
    start_time: null,
    end_time: null,
    result_cid: null,
    error_message: null,
    resources: {
      ...TASK_RESOURCE_DEFAULTS,
      ...((input.resources as object | undefined) ?? {}),
    } as RowInput[string],
    input_cids: (input.input_cids as Value | undefined) ?? [],
  };
}

/** The stored row of new content: pinned now unless another pin status is given. */
export function contentRow(input: Record<string, unknown>, now: number): RowInput {
  const cid = checkId('content', 'cid', input.cid);
  checkContentValues(input, cid);
  const pin = (input.pin_status as string | undefined) ?? 'pinned';
  return {
    cid,
    size: input.size as Value,
    providers: (input.providers as Value | undefined) ?? [],
    pin_status: pin,
    replication_factor: (input.replication_factor as Value | undefined) ?? 1,
    last_access_time: null,
    pinned_at: pin === 'pinned' ? now : null,
  };
}

export { NODE_ROLES, TASK_STATUSES };
