import type { Snapshot } from '../store/snapshot.js';
import type { Store } from '../store/store.js';

/** Options of `watch`. */
export interface WatchOptions {
  /** Yield only versions in which one of these tables changed (default: any change). */
  tables?: readonly string[];
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
}

/**
 * Snapshots of `store` as it changes, coalescing to the newest. Waiting costs nothing between
 * versions: the thread sleeps on the control block's notify word (see waitForVersion).
 */
export async function* watchSnapshots(
  store: Store,
  options: WatchOptions,
  closed: AbortSignal,
): AsyncGenerator<Snapshot, void, undefined> {
  const tables = options.tables;
  const signal = options.signal === undefined ? closed : AbortSignal.any([closed, options.signal]);
  let held: Snapshot | null = null;
  /** The newest version looked at, yielded or not: the next wait is for a version past it. */
  let seen = 0;
  try {
    while (!signal.aborted) {
      const snap = store.snapshot();
      if (held === null || changed(snap, held.version, tables)) {
        held?.release();
        held = snap;
        seen = snap.version;
        yield snap;
      } else {
        seen = snap.version;
        snap.release();
      }
      await store.waitForVersion(seen, { signal });
    }
  } finally {
    held?.release();
  }
}

function changed(snap: Snapshot, since: number, tables: readonly string[] | undefined): boolean {
  if (snap.version <= since) return false;
  if (tables === undefined) return true;
  for (const t of tables) if (snap.changedAt(t) > since) return true;
  return false;
}
