import type { QueryPartial } from '../query/index.js';
import { executeQuery, type GroupRange, type QueryPlan } from '../query/index.js';
import type { VersionRef } from '../store/snapshot.js';
import { Store, type StoreHandle } from '../store/store.js';

/** One part of a query for a pool worker: the plan, the lent version, and its row groups. */
export interface PoolTask {
  readonly plan: QueryPlan;
  readonly ref: VersionRef;
  /** The row groups of the plan's main table to evaluate (all when absent). */
  readonly part?: GroupRange;
}

/**
 * The handler of a reader-pool worker, made once when the worker starts (piscina awaits it): the
 * worker attaches to the store then, not per task. Each task reads a version the coordinator lent
 * and keeps pinned until every part settled, so the worker pins nothing: a worker terminated
 * mid-task leaves no pin behind.
 */
export async function poolHandler(handle: StoreHandle): Promise<(task: PoolTask) => QueryPartial> {
  const store = await Store.attach(handle);
  return (task) => {
    const snap = store.borrow(task.ref);
    try {
      return executeQuery(snap, task.plan, task.part);
    } finally {
      snap.release();
    }
  };
}
