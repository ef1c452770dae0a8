import { StateError } from '../errors.js';
import type { StateClient } from '../runtime/client.js';
import type { BatchBuilder } from '../store/effects.js';

/** What the facade's operations share: the client they submit through and the clock. */
export interface ClusterContext {
  readonly client: StateClient;
  /** Milliseconds since the epoch: every time the facade sets comes from here. */
  now(): number;
}

/** Metadata keys of the cluster model in the store metadata. */
export const META = {
  clusterId: 'cluster_id',
  masterId: 'master_id',
  updatedAt: 'updated_at',
  schemaVersion: 'schema_version',
} as const;

/** Adds `updated_at = now` to a batch: every change the facade makes stamps the cluster. */
export function stamp<B extends BatchBuilder>(b: B, now: number): B {
  b.setMeta(META.updatedAt, now);
  return b;
}

/** KEY_NOT_FOUND for an id the state does not hold. */
export function notFound(table: string, key: string): StateError {
  return new StateError('KEY_NOT_FOUND', `${table} has no row with key ${JSON.stringify(key)}`, {
    table,
    key,
  });
}
