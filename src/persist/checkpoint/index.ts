/*
 * Checkpoints: one file per table from a pinned version, written durably into a persistence
 * folder, and read back (newest valid first) into a fresh store. See write.ts and load.ts.
 */
export type { CheckpointFile, CheckpointInfo, Manifest, ManifestEntry, PersistFormat } from './format.js';
export { CHECKPOINT_FORMAT_VERSION, checkpointName } from './format.js';
export {
  type CheckpointProblem,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  loadCheckpoint,
} from './load.js';
export { readManifest } from './manifest.js';
export type { ParquetCompression } from './parquet.js';
export {
  loadInto,
  type RestoreCheckpointOptions,
  type RestoredCheckpoint,
  restoreCheckpoint,
} from './restore.js';
export { checkSchemaCompatible, schemaDifferences } from './schema-compat.js';
export { type CheckpointWritten, type WriteCheckpointOptions, writeCheckpoint } from './write.js';
