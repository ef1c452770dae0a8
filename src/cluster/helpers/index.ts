// The seed's cluster_state_helpers, camelCase: each takes a state source first (a state folder, a
// live ClusterState / StateRuntime / Store, or a Snapshot) and returns a Promise. docs/helpers.md.
export {
  findContentByCid,
  findContentByProvider,
  findOrphanedContent,
  getAllContent,
  getContentAvailabilityMap,
} from './content.js';
export { exportStateToJson } from './export-json.js';
export {
  findNodesByCapability,
  findNodesByRole,
  findNodesWithGpu,
  getAllNodes,
  getNodeById,
  getNodeResourceUtilization,
  type NodeResourceUtilization,
} from './nodes.js';
export { findAvailableNodeForTask } from './placement.js';
export {
  clearStateFolderCache,
  folderLoads,
  getStatePathFromMetadata,
  type LiveSource,
  type StateSource,
} from './source.js';
export {
  type ClusterMetadataFields,
  type ClusterStateTables,
  type ClusterStatusSummary,
  connectToStateStore,
  getClusterMetadata,
  getClusterState,
  getClusterStateAsArrow,
  getClusterStateAsDict,
  getClusterStatusSummary,
} from './summary.js';
export {
  estimateTimeToCompletion,
  findTasksByNode,
  findTasksByResourceRequirements,
  findTasksByStatus,
  findTasksByType,
  getAllTasks,
  getTaskById,
  getTaskExecutionMetrics,
  type ResourceRequirements,
  type TaskExecutionMetrics,
} from './tasks.js';
export { getNetworkTopology, type NetworkTopology } from './topology.js';
