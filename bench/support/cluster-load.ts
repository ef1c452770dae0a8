// The benchmarks' cluster as batches, the same rows in every benchmark (seeded): 10,000 nodes in
// one insert batch, then the tasks as Arrow `load` batches. Applied to a store in its own thread
// (`loadCluster`), or submitted to a runtime or a ClusterState (iterate `clusterBatches`).
import type { Batch, Store } from '../../src/index.js';
import { cidPool, nodeRow, prng, taskRow } from './cluster-data.js';
import { taskBatch } from './task-arrow.js';

/** Options of {@link clusterBatches}. */
export interface ClusterLoadOptions {
  /** Nodes (default 10,000). */
  nodes?: number;
  /** The rows' PRNG seed (default 42). */
  seed?: number;
  /** Task rows per load batch (default 100,000). */
  rows?: number;
}

/** The nodes' insert batch, then `tasks` tasks in load batches of `rows`. */
export function* clusterBatches(tasks: number, options: ClusterLoadOptions = {}): Generator<Batch> {
  const nodes = options.nodes ?? 10_000;
  const rows = options.rows ?? 100_000;
  const rand = prng(options.seed ?? 42);
  const pool = cidPool(100_000);
  yield {
    effects: Array.from({ length: nodes }, (_, i) => ({
      op: 'insert' as const,
      table: 'nodes',
      row: nodeRow(i, rand, nodes),
    })),
  };
  for (let from = 0; from < tasks; from += rows) {
    const part = Array.from({ length: Math.min(rows, tasks - from) }, (_, k) =>
      taskRow(from + k, rand, false, nodes, pool),
    );
    yield { effects: [{ op: 'load', table: 'tasks', rows: taskBatch(part) }] };
  }
}

/** Applies {@link clusterBatches} to `store` in its owner thread; returns the ms spent applying the task loads. */
export function loadCluster(store: Store, tasks: number, options: ClusterLoadOptions = {}): number {
  let loadMs = 0;
  let first = true;
  for (const b of clusterBatches(tasks, options)) {
    const t0 = performance.now();
    store.apply(b);
    if (!first) loadMs += performance.now() - t0;
    first = false;
  }
  return loadMs;
}
