// The write-ahead log (docs/wal.md): WalWriter appends in the writer's thread, WalSyncer makes it
// durable in the persistence worker, readWal recovers or reads it, pruneWal drops old segments.
export {
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  type RecordFault,
  SEGMENT_HEADER_BYTES,
  segmentName,
  WAL_FORMAT_VERSION,
} from './format.js';
export { defaultWalFs, FILE_MODE, FOLDER_MODE, type WalFs } from './fs.js';
export { readPosition, type SharedWalPosition, type WalPosition } from './position.js';
export { pruneWal } from './prune.js';
export {
  readWal,
  type WalDamage,
  type WalReadOptions,
  type WalReadResult,
  type WalRecord,
} from './reader.js';
export { WalSyncer, type WalSyncerOptions } from './syncer.js';
export { type WalRecordInput, WalWriter, type WalWriterOptions } from './writer.js';
