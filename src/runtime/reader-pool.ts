import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { StateError } from '../errors.js';
import {
  type GroupRange,
  mergePartials,
  type QueryPartial,
  type QueryPlan,
  type QueryResult,
  queryGroupCount,
  queryRowEstimate,
  runQuery,
} from '../query/index.js';
import type { Store } from '../store/store.js';
import type { PoolTask } from './pool-task.js';
import { resolveWorker } from './worker-entry.js';

/** Options of a query. */
export interface QueryOptions {
  /**
   * Split the scan across the pool's workers, every part on the same version, and merge (default
   * false: the whole query runs in one worker). Ignored without a pool.
   */
  parallel?: boolean;
  /** Cancels the query; a worker running a part of it is stopped. */
  signal?: AbortSignal;
  /**
   * Where the query runs: `'pool'` in the pool's workers, `'caller'` in the calling thread, `'auto'`
   * (the default) in the calling thread when it reads at most {@link SMALL_QUERY_ROWS} rows, else
   * in the pool. Without a pool every query runs in the calling thread.
   */
  runIn?: 'auto' | 'pool' | 'caller';
}

/**
 * The most rows (see `queryRowEstimate`) a query may read and still run in the calling thread under
 * `runIn: 'auto'`. Sending a query to a worker costs a round trip of two thread wake-ups (about 40
 * µs on the development VM with warm workers, well over 100 µs while a worker's query code is not
 * yet optimized, which takes it about a thousand queries); reading 8,192 rows costs about as much,
 * and blocks the caller for no longer.
 */
export const SMALL_QUERY_ROWS = 8192;

/**
 * Runs queries on pinned versions: in piscina workers that attached to the store when the pool
 * started, or in the calling thread when the pool has no threads. The coordinator (the calling
 * thread) pins the version and lends it to the workers (`snapshot.lend()`): the 16-entry root ring
 * would have moved past it long before a worker could pin it by number at full write rate. Its pin
 * is held until every part settled, then released, whatever happened to the parts.
 */
export class ReaderPool {
  readonly #store: Store;
  readonly #pool: Piscina | null;
  readonly #ran = { caller: 0, pool: 0 };

  private constructor(store: Store, pool: Piscina | null) {
    this.#store = store;
    this.#pool = pool;
  }

  /** Starts `threads` workers (0: queries run in the calling thread) and waits until they attached. */
  static async start(store: Store, threads: number): Promise<ReaderPool> {
    if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
      throw new StateError('INVALID_OPTION', `option readers must be an integer in [0, 256], not ${threads}`);
    }
    if (threads === 0) return new ReaderPool(store, null);
    const entry = resolveWorker(new URL('../../workers/pool.js', import.meta.url));
    const pool = new Piscina({
      filename: fileURLToPath(entry.filename),
      argv: entry.argv,
      workerData: { handle: store.handle() },
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // Piscina starts its minimum of threads at once, and each loads its handler (poolHandler, which
    // attaches to the store) before it takes a task: no query pays for attaching.
    return new ReaderPool(store, pool);
  }

  /** Worker threads of the pool (0 when queries run in the calling thread). */
  get threads(): number {
    return this.#pool?.threads.length ?? 0;
  }

  /**
   * Queries sent to run so far, failed ones included: in the calling thread, and in the pool (a
   * parallel query counts once). A plan refused before it was placed (a bad option, or a plan the
   * estimate could not resolve) counts nowhere.
   */
  get ran(): { readonly caller: number; readonly pool: number } {
    return { ...this.#ran };
  }

  /** Runs `plan` on the newest version. */
  async query(plan: QueryPlan, options: QueryOptions = {}): Promise<QueryResult> {
    const pool = this.#pool;
    const runIn = options.runIn ?? 'auto';
    if (runIn !== 'auto' && runIn !== 'pool' && runIn !== 'caller') {
      throw new StateError(
        'INVALID_OPTION',
        `option runIn must be 'auto', 'pool' or 'caller', not ${String(runIn)}`,
      );
    }
    if (pool === null || runIn === 'caller') {
      this.#ran.caller++;
      return this.#store.read((s) => runQuery(s, plan));
    }
    const snap = this.#store.snapshot();
    try {
      if (runIn === 'auto' && queryRowEstimate(snap, plan) <= SMALL_QUERY_ROWS) {
        this.#ran.caller++;
        return runQuery(snap, plan);
      }
      this.#ran.pool++;
      const ref = snap.lend();
      const parts =
        options.parallel === true ? split(queryGroupCount(snap, plan), pool.options.maxThreads) : [undefined];
      const settled = await Promise.allSettled(
        parts.map(
          (part) =>
            pool.run({ plan, ref, part } satisfies PoolTask, {
              signal: options.signal ?? null,
            }) as Promise<QueryPartial>,
        ),
      );
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return mergePartials(
        plan,
        settled.map((s) => (s as PromiseFulfilledResult<QueryPartial>).value),
      );
    } finally {
      // Only now, when no part can still read it.
      snap.release();
    }
  }

  /** Stops the workers (their attachments end with them). */
  async close(): Promise<void> {
    await this.#pool?.destroy();
  }
}

/** [0, groups) in `n` contiguous ranges of nearly equal size (at least one range, maybe empty). */
function split(groups: number, n: number): GroupRange[] {
  const parts = Math.max(1, Math.min(n, groups));
  const out: GroupRange[] = [];
  for (let i = 0; i < parts; i++) {
    out.push({
      groupStart: Math.floor((groups * i) / parts),
      groupEnd: Math.floor((groups * (i + 1)) / parts),
    });
  }
  return out;
}
