export * from './cluster/helpers/index.js';
export {
  ACTIVE_STATUSES,
  CLUSTER_SCHEMA_VERSION,
  type ClusterMetadata,
  ClusterState,
  type ClusterStateHandle,
  type ClusterStateOptions,
  type ContentInput,
  type ContentUpdate,
  FINISHED_STATUSES,
  NODE_STATUSES,
  type NodeInput,
  type NodeResources,
  type OfflineResult,
  PIN_STATUSES,
  readClusterMetadata,
  type TaskInput,
  type TaskResources,
  type TaskStatus,
  type TaskUpdate,
  TRANSITIONS,
} from './cluster/index.js';
export {
  clusterSchema,
  contentTable,
  NODE_ROLES,
  nodesTable,
  TASK_STATUSES,
  tasksTable,
} from './cluster/schema.js';
export { decodeBatch, encodeBatch } from './codec/batch-codec.js';
export { describeValue, StateError, type StateErrorCode, type StateErrorDetails } from './errors.js';
export { POISON_BYTE } from './memory/arena.js';
export type { PinInfo } from './memory/slots.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointFile,
  type CheckpointInfo,
  type CheckpointProblem,
  type CheckpointWritten,
  checkpointName,
  checkSchemaCompatible,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  loadCheckpoint,
  loadInto,
  type Manifest,
  type ManifestEntry,
  type ParquetCompression,
  type PersistFormat,
  type RestoreCheckpointOptions,
  type RestoredCheckpoint,
  readManifest,
  restoreCheckpoint,
  schemaDifferences,
  type WriteCheckpointOptions,
  writeCheckpoint,
} from './persist/checkpoint/index.js';
export type { CheckpointSummary } from './persist/checkpointer.js';
export {
  accessViaCDataInterface,
  defaultExportRoot,
  EXPORT_FORMAT,
  EXPORT_METADATA,
  type ExportMetadata,
  type ExportTable,
  getCDataInterface,
  type OpenedExport,
  openExport,
  readExportMetadata,
  removeExport,
  type WriteExportOptions,
  writeExport,
} from './persist/export/index.js';
export type { Durability, PersistOptions } from './persist/options.js';
export { readFolder } from './persist/read-folder.js';
export type { RecoveryReport } from './persist/recover.js';
export {
  type Aggregate,
  type AggState,
  and,
  between,
  type CompareOp,
  contains,
  count,
  type Expr,
  eq,
  executeQuery,
  type GroupRange,
  type GroupsPartial,
  gt,
  gte,
  isIn,
  isNull,
  type JoinSpec,
  type KeyValue,
  type Literal,
  lt,
  lte,
  max,
  mean,
  mergePartials,
  min,
  ne,
  not,
  type OrderKey,
  or,
  QueryBuilder,
  type QueryPartial,
  type QueryPlan,
  type QueryResult,
  query,
  queryGroupCount,
  queryRowEstimate,
  type ResultColumn,
  type RowsPartial,
  resultToArrow,
  runQuery,
  type SortValue,
  sum,
  type TopKPartial,
} from './query/index.js';
export {
  attach,
  type ClientOptions,
  type RuntimeHandle,
  type SettlePolicy,
  StateClient,
  type SubmitOptions,
  type UpdateOptions,
  type UpdateResult,
} from './runtime/client.js';
export { CommitFeed, type CommitRecord, type FeedConsumer, type FeedOptions } from './runtime/feed.js';
export type { ReaderRequest, ScanResult } from './runtime/reader-host.js';
export { type QueryOptions, SMALL_QUERY_ROWS } from './runtime/reader-pool.js';
export { ReaderWorker } from './runtime/reader-worker.js';
export { type RuntimeOptions, StateRuntime } from './runtime/runtime.js';
export type { WatchOptions } from './runtime/watch.js';
export { resolveWorker, type WorkerEntry } from './runtime/worker-entry.js';
export type { WriterAddress, WriterHostOptions } from './runtime/writer-host.js';
export {
  type ColumnSchema,
  type Schema,
  schema,
  type TableOptions,
  type TableSchema,
  table,
} from './schema/schema.js';
export {
  bool,
  type CodeWidth,
  type ColumnType,
  type ColumnTypeName,
  type ColumnTypeOptions,
  type DictionaryOptions,
  dictionary,
  type FixedTypeName,
  float32,
  float64,
  type Int64Mode,
  type Int64Options,
  int8,
  int16,
  int32,
  int64,
  list,
  struct,
  timestamp,
  uint8,
  uint16,
  uint32,
  utf8,
} from './schema/types.js';
export type { ChunkValues, ChunkView } from './store/arrow-view.js';
export {
  type Batch,
  BatchBuilder,
  batch,
  type Comparable,
  type Condition,
  type Effect,
} from './store/effects.js';
export { Snapshot } from './store/snapshot.js';
export {
  type AttachOptions,
  Store,
  type StoreHandle,
  type StoreOptions,
  type StoreStats,
  type WriteOptions,
} from './store/store.js';
export type { Key, Transaction } from './store/transaction.js';
export type { Row, RowInput, StructValue, Value } from './store/values.js';
