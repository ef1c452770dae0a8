import { StateError } from '../errors.js';
import { query } from '../query/builder.js';
import { and, eq, isIn } from '../query/expr.js';
import { runQuery } from '../query/merge.js';
import { batch } from '../store/effects.js';
import type { RowInput } from '../store/values.js';
import { type ClusterContext, notFound, stamp } from './context.js';
import {
  ACTIVE_STATUSES,
  checkId,
  checkNodeValues,
  checkNotManaged,
  checkNotNegative,
  checkPartial,
  invalid,
  NODE_RESOURCE_FIELDS_NOT_NEGATIVE,
  type NodeResources,
  nodeRow,
} from './defaults.js';

/** A node as `addNode` takes it: `node_id` and the columns to set; the rest get defaults. */
export interface NodeInput {
  node_id: string;
  peer_id?: string | null;
  role?: 'master' | 'worker' | 'leecher';
  address?: string | null;
  status?: 'online' | 'offline' | 'busy';
  resources?: Partial<NodeResources>;
  capabilities?: string[];
  peers?: string[];
}

/** What `markOfflineNodes` did: nodes marked offline, and those that sent a heartbeat meanwhile. */
export interface OfflineResult {
  offline: string[];
  /** Nodes whose heartbeat changed between the read and the write: they stay online. */
  lostRace: string[];
}

export async function addNode(ctx: ClusterContext, input: NodeInput): Promise<number> {
  if (input === null || typeof input !== 'object')
    throw invalid('addNode takes a node object', { table: 'nodes' });
  const now = ctx.now();
  const row = nodeRow(input as unknown as Record<string, unknown>, now);
  return ctx.client.submit(stamp(batch().insert('nodes', row), now));
}

export async function updateNode(
  ctx: ClusterContext,
  id: string,
  partial: Partial<NodeInput>,
): Promise<number> {
  checkId('nodes', 'node_id', id);
  const values = checkPartial('nodes', id, partial);
  checkNotManaged('nodes', values, ['node_id', 'tasks_assigned'], id);
  checkNodeValues(values, id);
  const now = ctx.now();
  return ctx.client.submit(stamp(batch().update('nodes', id, values as RowInput), now));
}

/**
 * Removes a node. While tasks are assigned to it (assigned or running) it is refused with
 * PRECONDITION_FAILED, unless `returnTasks`: then those tasks go back to pending (no node, no
 * start time) in the same batch. The count read is a precondition, so an assignment racing the
 * removal makes it retry.
 */
export async function removeNode(
  ctx: ClusterContext,
  id: string,
  options: { returnTasks?: boolean } = {},
): Promise<number> {
  checkId('nodes', 'node_id', id);
  return ctx.client.update((s) => {
    const node = s.get('nodes', id, ['tasks_assigned']);
    if (node === null) throw notFound('nodes', id);
    const count = node.tasks_assigned as number;
    if (count > 0 && options.returnTasks !== true) {
      throw new StateError(
        'PRECONDITION_FAILED',
        `nodes ${JSON.stringify(id)} has ${count} assigned task(s); remove it with { returnTasks: true } to send them back to pending`,
        { table: 'nodes', key: id, column: 'tasks_assigned', value: count },
      );
    }
    const now = ctx.now();
    const b = batch().require('nodes', id, { column: 'tasks_assigned', equals: count });
    if (count > 0) {
      const plan = query('tasks')
        .where(and(eq('assigned_node_id', id), isIn('status', [...ACTIVE_STATUSES])))
        .select('task_id', 'status')
        .build();
      for (const t of runQuery(s, plan).rows) {
        const taskId = t.task_id as string;
        b.require('tasks', taskId, { column: 'status', equals: t.status as string })
          .require('tasks', taskId, { column: 'assigned_node_id', equals: id })
          .update('tasks', taskId, { status: 'pending', assigned_node_id: null, start_time: null });
      }
    }
    return stamp(b.delete('nodes', id), now);
  });
}

/** Records a heartbeat: `last_heartbeat` now, status online, and the resources given (partial). */
export async function heartbeat(
  ctx: ClusterContext,
  id: string,
  resources?: Partial<NodeResources>,
): Promise<number> {
  checkId('nodes', 'node_id', id);
  if (resources !== undefined) {
    checkPartial('nodes', id, resources);
    checkNotNegative(
      'nodes',
      'resources',
      resources as Record<string, unknown>,
      NODE_RESOURCE_FIELDS_NOT_NEGATIVE,
      id,
    );
  }
  const now = ctx.now();
  const values: RowInput = { last_heartbeat: now, status: 'online' };
  if (resources !== undefined) values.resources = resources as RowInput[string];
  return ctx.client.submit(stamp(batch().update('nodes', id, values), now));
}

/**
 * Marks offline every online node whose last heartbeat is older than `olderThanMs`. Each node is
 * its own batch whose precondition is the heartbeat it read: a node that sent one meanwhile stays
 * online and is listed in `lostRace`.
 */
export async function markOfflineNodes(ctx: ClusterContext, olderThanMs: number): Promise<OfflineResult> {
  if (typeof olderThanMs !== 'number' || !(olderThanMs >= 0)) {
    throw invalid(
      `markOfflineNodes: olderThanMs must be a number of at least 0, not ${String(olderThanMs)}`,
      {
        table: 'nodes',
        value: olderThanMs,
      },
    );
  }
  const now = ctx.now();
  const cutoff = now - olderThanMs;
  const stale: { id: string; seen: number }[] = [];
  ctx.client.read((s) => {
    const n = s.count('nodes');
    for (let row = 0; row < n; row++) {
      const r = s.getAt('nodes', row, ['node_id', 'status', 'last_heartbeat']);
      if (r.status === 'online' && (r.last_heartbeat as number) < cutoff) {
        stale.push({ id: r.node_id as string, seen: r.last_heartbeat as number });
      }
    }
  });
  const result: OfflineResult = { offline: [], lostRace: [] };
  const outcomes = await Promise.allSettled(
    stale.map(({ id, seen }) =>
      ctx.client.submit(
        stamp(
          batch()
            .require('nodes', id, { column: 'last_heartbeat', equals: seen })
            .require('nodes', id, { column: 'status', equals: 'online' })
            .update('nodes', id, { status: 'offline' }),
          now,
        ),
      ),
    ),
  );
  outcomes.forEach((o, i) => {
    const id = stale[i]!.id;
    if (o.status === 'fulfilled') result.offline.push(id);
    else if (o.reason instanceof StateError && o.reason.code === 'PRECONDITION_FAILED')
      result.lostRace.push(id);
    else throw o.reason;
  });
  return result;
}
