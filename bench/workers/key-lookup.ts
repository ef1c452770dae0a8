// Key-lookup timing for bench/keys.bench.ts. Started as a worker, it attaches to the store of its
// workerData, times batches of lookups and posts the batch times back. The bench imports
// measureLookups from here too, to time the same loops in the owner thread.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Store, type StoreHandle } from '../../src/index.js';

/** The three numeric columns of the projected lookup. */
export const PROJECTION: readonly string[] = ['priority', 'resources.cpu_cores', 'resources.memory_mb'];

/** key to row position only; three numeric columns; the whole row. */
export type LookupMode = 'locate' | 'projection' | 'row';
export const LOOKUP_MODES: readonly LookupMode[] = ['locate', 'projection', 'row'];

/** Per mode: each timed batch's time divided by its lookups, in ns (the pin is inside the batch). */
export type LookupTimings = Record<LookupMode, number[]>;

export interface LookupRequest {
  kind: 'key-lookup';
  handle: StoreHandle;
  /** Task ids to look up, in order, `batch` at a time (wrapping around). */
  keys: string[];
  batch: number;
  /** Time each mode for at least this long (and at least `minBatches` batches). */
  budgetMs: number;
  minBatches: number;
}

/** One pinned batch of `n` lookups from `keys[from]`; returns ns per lookup. */
function batchOnce(store: Store, keys: readonly string[], from: number, n: number, mode: LookupMode): number {
  const t0 = performance.now();
  const check = store.read((s) => {
    let sum = 0;
    if (mode === 'locate') {
      for (let k = 0; k < n; k++) {
        const pos = s.locate('tasks', keys[from + k]!);
        if (pos < 0) return -1;
        sum += pos;
      }
    } else if (mode === 'projection') {
      for (let k = 0; k < n; k++) {
        const row = s.get('tasks', keys[from + k]!, PROJECTION);
        if (row === null) return -1;
        sum += row.priority as number;
      }
    } else {
      for (let k = 0; k < n; k++) {
        const row = s.get('tasks', keys[from + k]!);
        if (row === null) return -1;
        sum += row.priority as number;
      }
    }
    return sum;
  });
  const ns = ((performance.now() - t0) * 1e6) / n;
  if (check < 0) throw new Error(`a key of the batch at ${from} was not found (${mode})`);
  return ns;
}

/** Times every mode: a few warm-up batches, then batches until the budget is spent. */
export function measureLookups(
  store: Store,
  keys: readonly string[],
  batch: number,
  budgetMs: number,
  minBatches: number,
): LookupTimings {
  const slices = Math.floor(keys.length / batch);
  if (slices < 1) throw new Error(`need at least ${batch} keys, got ${keys.length}`);
  const out = {} as LookupTimings;
  let slice = 0;
  for (const mode of LOOKUP_MODES) {
    for (let w = 0; w < 3; w++) batchOnce(store, keys, (slice++ % slices) * batch, batch, mode);
    const times: number[] = [];
    const t0 = performance.now();
    while (times.length < minBatches || performance.now() - t0 < budgetMs) {
      times.push(batchOnce(store, keys, (slice++ % slices) * batch, batch, mode));
      if (times.length >= 10_000) break;
    }
    out[mode] = times;
  }
  return out;
}

if (!isMainThread && (workerData as LookupRequest | null)?.kind === 'key-lookup') {
  const req = workerData as LookupRequest;
  const store = await Store.attach(req.handle);
  try {
    parentPort!.postMessage(measureLookups(store, req.keys, req.batch, req.budgetMs, req.minBatches));
  } finally {
    store.close();
  }
}
