import type { Snapshot } from '../store/snapshot.js';
import { META } from './context.js';

/** The cluster's metadata, as the seed's model exposed it. */
export interface ClusterMetadata {
  cluster_id: string | null;
  /** The node that holds the writer (the one that opened the state). */
  master_id: string | null;
  /** When the facade last changed the state (ms since the epoch, from its clock). */
  updated_at: number | null;
  /**
   * The state's version: the store version of the snapshot, which every committed change
   * increments (and which each checkpoint and log record carries).
   */
  state_version: number;
  schema_version: number | null;
}

/**
 * The cluster metadata of a snapshot: cluster_id, master_id, updated_at and schema_version from the
 * store metadata (written by `ClusterState`, stored with each checkpoint), state_version the
 * snapshot's version. Works on any snapshot of a `clusterSchema` store, live or read from a folder.
 */
export function readClusterMetadata(snapshot: Snapshot): ClusterMetadata {
  const str = (k: string) => {
    const v = snapshot.meta(k);
    return typeof v === 'string' ? v : null;
  };
  const num = (k: string) => {
    const v = snapshot.meta(k);
    return typeof v === 'number' ? v : null;
  };
  return {
    cluster_id: str(META.clusterId),
    master_id: str(META.masterId),
    updated_at: num(META.updatedAt),
    state_version: snapshot.version,
    schema_version: num(META.schemaVersion),
  };
}
