import { batch } from '../store/effects.js';
import type { RowInput } from '../store/values.js';
import { type ClusterContext, notFound, stamp } from './context.js';
import {
  checkContentValues,
  checkId,
  checkNotManaged,
  checkPartial,
  contentRow,
  invalid,
} from './defaults.js';

/** Content as `addContent` takes it: pinned now, no providers, replication 1 when not given. */
export interface ContentInput {
  cid: string;
  /** Bytes (a plain number; at most 2^53 - 1). */
  size: number;
  providers?: string[];
  pin_status?: 'pinned' | 'pinning' | 'unpinned' | 'failed';
  replication_factor?: number;
}

/** What `updateContent` may change. */
export type ContentUpdate = Partial<Omit<ContentInput, 'cid'>> & {
  last_access_time?: number | null;
  pinned_at?: number | null;
};

export async function addContent(ctx: ClusterContext, input: ContentInput): Promise<number> {
  if (input === null || typeof input !== 'object')
    throw invalid('addContent takes a content object', { table: 'content' });
  const now = ctx.now();
  const row = contentRow(input as unknown as Record<string, unknown>, now);
  return ctx.client.submit(stamp(batch().insert('content', row), now));
}

/** Sets the columns given; a change to `pinned` stamps `pinned_at` now unless it is given. */
export async function updateContent(
  ctx: ClusterContext,
  cid: string,
  partial: ContentUpdate,
): Promise<number> {
  checkId('content', 'cid', cid);
  const values = { ...checkPartial('content', cid, partial) };
  checkNotManaged('content', values, ['cid'], cid);
  checkContentValues(values, cid);
  const now = ctx.now();
  if (values.pin_status === 'pinned' && !Object.hasOwn(values, 'pinned_at')) values.pinned_at = now;
  return ctx.client.submit(stamp(batch().update('content', cid, values as RowInput), now));
}

export async function removeContent(ctx: ClusterContext, cid: string): Promise<number> {
  checkId('content', 'cid', cid);
  const now = ctx.now();
  return ctx.client.submit(stamp(batch().delete('content', cid), now));
}

/**
 * Adds (or removes) `nodeId` to the providers of `cid`. Resolves true when it changed them, false
 * when there was nothing to do (already a provider, or not one); KEY_NOT_FOUND for unknown content.
 */
export async function changeProvider(
  ctx: ClusterContext,
  cid: string,
  nodeId: string,
  add: boolean,
): Promise<boolean> {
  checkId('content', 'cid', cid);
  checkId('content', 'providers', nodeId);
  let changed = false;
  await ctx.client.update((s) => {
    const row = s.get('content', cid, ['providers']);
    if (row === null) throw notFound('content', cid);
    const providers = row.providers as string[];
    changed = providers.includes(nodeId) !== add;
    if (!changed) return null;
    const now = ctx.now();
    const b = batch().require('content', cid, { column: 'providers', equals: providers });
    if (add) b.listAdd('content', cid, 'providers', nodeId);
    else b.listRemove('content', cid, 'providers', nodeId);
    return stamp(b, now);
  });
  return changed;
}
