export { ClusterState, type ClusterStateHandle, type ClusterStateOptions } from './cluster-state.js';
export type { ContentInput, ContentUpdate } from './content.js';
export {
  ACTIVE_STATUSES,
  CLUSTER_SCHEMA_VERSION,
  FINISHED_STATUSES,
  NODE_STATUSES,
  type NodeResources,
  PIN_STATUSES,
  type TaskResources,
} from './defaults.js';
export { type ClusterMetadata, readClusterMetadata } from './metadata.js';
export type { NodeInput, OfflineResult } from './nodes.js';
export type { TaskInput, TaskUpdate } from './tasks.js';
export { type TaskStatus, TRANSITIONS } from './transitions.js';
