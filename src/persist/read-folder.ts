import { join, resolve } from 'node:path';
import type { Schema } from '../schema/schema.js';
import { Store, type StoreOptions } from '../store/store.js';
import { type RecoveryReport, recoverInto } from './recover.js';

/**
 * Reads the state a persistence folder holds into a new store owned by this thread, writing
 * nothing: no lock is taken (a live writer may be using the folder), nothing is truncated, an
 * incomplete record at the end of the log is the end, and a checkpoint file that disappears while
 * it is read (a writer replaced the checkpoint) makes it read the manifest again. What the log held
 * when it was read is there, up to its last complete record. The store is the caller's to read (and
 * close); writing to it changes nothing on disk.
 */
export function readFolder(
  persistPath: string,
  schema: Schema,
  options: StoreOptions = {},
): { store: Store; recovery: RecoveryReport } {
  const folder = resolve(persistPath);
  const store = Store.create(schema, options);
  try {
    const recovery = recoverInto(
      store,
      schema,
      { folder, walFolder: join(folder, 'wal'), repair: false },
      'readonly',
    );
    return { store, recovery };
  } catch (err) {
    store.close();
    throw err;
  }
}
