import type { Schema } from '../../schema/schema.js';
import type { MetaMap } from '../../store/meta.js';
import { Store, type StoreOptions } from '../../store/store.js';
import { type CheckpointProblem, type LoadedCheckpoint, loadCheckpoint } from './load.js';

/** Options of {@link restoreCheckpoint}. */
export interface RestoreCheckpointOptions {
  /** Options of the new store (arena size, row-group size, ...). */
  store?: StoreOptions;
  /** Called with each checkpoint (or manifest) passed over, as it happens. */
  onProblem?: (problem: CheckpointProblem) => void;
}

/** A store rebuilt from a checkpoint. */
export interface RestoredCheckpoint {
  /** The new store, holding the checkpoint's rows and metadata. The caller owns it (close it). */
  readonly store: Store;
  /** The store version the checkpoint was written from: replay a WAL after this one. */
  readonly version: number;
  /** The version of the new store that holds the rows (a fresh store's numbering, not `version`). */
  readonly storeVersion: number;
  /** The checkpoint's folder. */
  readonly path: string;
  /** The store metadata restored. */
  readonly meta: MetaMap;
  /** Every checkpoint (or manifest) passed over on the way. */
  readonly problems: readonly CheckpointProblem[];
}

/**
 * Rebuilds a store of `schema` from the newest valid checkpoint in persistence folder `folder`
 * (see {@link loadCheckpoint} for the choice, fall-backs and errors), or returns null when there is
 * none. One transaction of a fresh `Store.create(schema)` bulk-loads every table, rows in their
 * stored order (row positions are what UpdateAt and DeleteAt records name), and sets every
 * metadata key. The new store numbers its own versions: the checkpoint's version comes back
 * separately, for the recovery that replays the WAL after it.
 */
export function restoreCheckpoint(
  folder: string,
  schema: Schema,
  options: RestoreCheckpointOptions = {},
): RestoredCheckpoint | null {
  const loaded = loadCheckpoint(folder, schema, options.onProblem ? { onProblem: options.onProblem } : {});
  if (loaded === null) return null;
  const store = Store.create(schema, options.store);
  try {
    const storeVersion = loadInto(store, loaded);
    return {
      store,
      version: loaded.version,
      storeVersion,
      path: loaded.path,
      meta: loaded.meta,
      problems: loaded.problems,
    };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Loads a checkpoint's tables and metadata into `store` in one transaction; returns its version. */
export function loadInto(store: Store, loaded: LoadedCheckpoint): number {
  return store.write((tx) => {
    for (const [name, table] of loaded.tables) if (table.numRows > 0) tx.load(name, table);
    for (const key of Object.keys(loaded.meta)) tx.setMeta(key, loaded.meta[key]!);
  });
}
