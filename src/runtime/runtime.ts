import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Mutex } from 'async-mutex';
import { StateError } from '../errors.js';
import type { CheckpointSummary } from '../persist/checkpointer.js';
import type { ExportMetadata } from '../persist/export/index.js';
import { lockFolder } from '../persist/lock.js';
import { type PersistOptions, persistConfig, splitPersistOptions } from '../persist/options.js';
import type { RecoveryReport } from '../persist/recover.js';
import { QueryBuilder, type QueryPlan, type QueryResult } from '../query/index.js';
import type { Schema } from '../schema/schema.js';
import type { Batch, BatchBuilder } from '../store/effects.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Transaction } from '../store/transaction.js';
import {
  attach,
  type ClientOptions,
  type RuntimeHandle,
  type SettlePolicy,
  type StateClient,
  type SubmitOptions,
  type UpdateOptions,
  type UpdateResult,
} from './client.js';
import type { CommitFeed, CommitRecord } from './feed.js';
import { Persistence } from './persistence.js';
import { type QueryOptions, ReaderPool, type SMALL_QUERY_ROWS } from './reader-pool.js';
import type { WatchOptions } from './watch.js';
import { errorFromWire } from './wire.js';
import { resolveWorker } from './worker-entry.js';

/** Starts the writer worker and waits until it has created (or recovered) the store. */
async function startWriterWorker(
  runtimeId: string,
  schema: Schema,
  options: WriterHostOptions,
): Promise<{ worker: Worker; address: WriterAddress; recovery: RecoveryReport | null }> {
  const entry = resolveWorker(new URL('../../workers/writer.js', import.meta.url));
  const worker = new Worker(entry.filename, {
    argv: entry.argv,
    workerData: { runtimeId, schema, options } satisfies WriterWorkerData,
  });
  try {
    return await new Promise((resolve, reject) => {
      const onMessage = (m: WriterControl) => {
        if (m.t === 'ready') resolve({ worker, address: m.address, recovery: m.recovery });
        else if (m.t === 'failed') reject(errorFromWire(m.error));
        else return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      const onExit = (code: number) =>
        reject(new StateError('WRITER_DIED', `the writer worker exited with code ${code} while starting`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  } catch (err) {
    await worker.terminate();
    throw err;
  }
}

/** Half the cores beyond the two that the writer and the main thread keep busy, at most 4. */
function defaultReaders(): number {
  return Math.max(0, Math.min(4, Math.floor((availableParallelism() - 2) / 2)));
}

import { type WriterAddress, WriterHost, type WriterHostOptions } from './writer-host.js';
import type { WriterControl, WriterWorkerData } from './writer-worker.js';

/** Options of {@link StateRuntime.start}: the store's, the writer's and the main client's. */
export interface RuntimeOptions extends Omit<WriterHostOptions, 'persist'>, ClientOptions, PersistOptions {
  /**
   * Where the writer runs. `worker` (default): a writer worker creates the store and owns it; the
   * main thread is a client like any other. `inline`: this thread owns the store and applies other
   * threads' batches on its event loop; it can also write directly with `write(fn)`.
   */
  writer?: 'worker' | 'inline';
  /**
   * Worker threads of the reader pool that runs `query()` (default: half the cores beyond two, at
   * most 4; 0 on a machine of two cores). 0 runs queries in the calling thread.
   */
  readers?: number;
}

/**
 * The state store as a running service: one writer (a worker, or this thread), any number of
 * threads that submit batches and read pinned versions zero-copy, and the commit feed of every
 * version. Start it in the main thread; hand `handle()` to workers, which call `attach(handle)`.
 */
export class StateRuntime {
  /** Where the writer runs. */
  readonly writer: 'worker' | 'inline';
  /** This thread's client: submit, update, read, watch, changes. */
  readonly client: StateClient;
  readonly #address: WriterAddress;
  readonly #host: WriterHost | null;
  readonly #worker: Worker | null;
  readonly #pool: ReaderPool;
  readonly #persistence: Persistence | null;
  readonly #unlock: (() => void) | null;
  /** What restart() starts again with. */
  readonly #schema: Schema;
  readonly #options: RuntimeOptions;
  /** Lifecycle steps (close, restart) are asynchronous and must not interleave; never the data path. */
  readonly #lifecycle = new Mutex();
  /** What opening the persistence folder found and did (null without one). */
  readonly recovery: RecoveryReport | null;
  /** Resolves when the writer worker has exited (never, for an inline writer). */
  readonly #exited: Promise<void>;
  #closing: Promise<void> | null = null;

  private constructor(init: {
    writer: 'worker' | 'inline';
    client: StateClient;
    address: WriterAddress;
    host: WriterHost | null;
    worker: Worker | null;
    pool: ReaderPool;
    persistence: Persistence | null;
    recovery: RecoveryReport | null;
    unlock: (() => void) | null;
    schema: Schema;
    options: RuntimeOptions;
  }) {
    this.#schema = init.schema;
    this.#options = init.options;
    this.writer = init.writer;
    this.client = init.client;
    this.#address = init.address;
    this.#host = init.host;
    this.#worker = init.worker;
    this.#pool = init.pool;
    this.#persistence = init.persistence;
    this.recovery = init.recovery;
    this.#unlock = init.unlock;
    const worker = init.worker;
    this.#exited =
      worker === null
        ? new Promise<void>(() => {})
        : new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  }

  /**
   * Starts a runtime on `schema`: its writer, this thread's client and the reader pool. With
   * `persistPath`, the folder is locked, the writer recovers the state from it (newest valid
   * checkpoint, then the log after it; see `recovery`), and the persistence and checkpoint workers
   * start.
   */
  static async start(schema: Schema, options: RuntimeOptions = {}): Promise<StateRuntime> {
    const { writer = 'worker', maxInFlight, maxBatchBytes, readers = defaultReaders(), ...rest } = options;
    if (writer !== 'worker' && writer !== 'inline') {
      throw new StateError(
        'INVALID_OPTION',
        `option writer must be 'worker' or 'inline', not ${String(writer)}`,
      );
    }
    const { persist: persistOptions, rest: storeOptions } = splitPersistOptions(rest);
    const persist = persistConfig(persistOptions);
    // One writing process per folder: the lock is the process's, so it is taken here, not in the
    // writer's thread, and held until close() has written the final checkpoint.
    const unlock = persist === null ? null : lockFolder(persist.folder);
    const hostOptions: WriterHostOptions = { ...storeOptions, persist };
    const runtimeId = randomUUID();
    const clientOptions = { maxInFlight, maxBatchBytes };
    let host: WriterHost | null = null;
    let worker: Worker | null = null;
    try {
      let address: WriterAddress;
      let recovery: RecoveryReport | null;
      if (writer === 'inline') {
        host = new WriterHost(runtimeId, schema, hostOptions);
        address = host.address();
        recovery = host.recovery;
      } else {
        ({ worker, address, recovery } = await startWriterWorker(runtimeId, schema, hostOptions));
      }
      const persistence = persist === null ? null : await Persistence.start(persist, address);
      const client = await attach({ kind: 'acs-runtime', address }, clientOptions);
      const pool = await ReaderPool.start(client.store, readers);
      // The writer must not keep the process alive by itself: close() ends it, and a process that
      // forgets to close still exits (what the log holds survives it).
      worker?.unref();
      return new StateRuntime({
        writer,
        client,
        address,
        host,
        worker,
        pool,
        persistence,
        recovery,
        unlock,
        schema,
        options,
      });
    } catch (err) {
      if (host !== null) await host.close();
      if (worker !== null) await worker.terminate();
      unlock?.();
      throw err;
    }
  }

  /**
   * Refreshes the shared-memory export now (option `exportPath`); resolves with its metadata, what
   * `getCDataInterface(exportPath)` reads in any process.
   */
  async refreshExport(): Promise<ExportMetadata> {
    const metadata = await this.#persistence?.refreshExport();
    if (metadata === undefined || metadata === null) {
      throw new StateError(
        'INVALID_OPTION',
        'refreshExport() needs a persistence folder and an export folder (options persistPath, exportPath)',
      );
    }
    return metadata;
  }

  /** Writes a checkpoint of the newest version now; resolves once it is on disk (null: nothing new). */
  checkpoint(): Promise<CheckpointSummary | null> {
    if (this.#persistence === null) {
      return Promise.reject(
        new StateError('INVALID_OPTION', 'checkpoint() needs a persistence folder (option persistPath)'),
      );
    }
    return this.#persistence.checkpoint();
  }

  /** A structured-clonable handle: post it to a worker and `attach(handle)` there. */
  handle(): RuntimeHandle {
    return { kind: 'acs-runtime', address: this.#address };
  }

  /** The newest published version. */
  get version(): number {
    return this.client.version;
  }

  /**
   * The commit feed, in the writer's thread: subscribe consumers that must see every version. Only
   * with `writer: 'inline'` (in a writer worker the feed lives there; read it with `changes()`).
   */
  get feed(): CommitFeed {
    if (this.#host === null) {
      throw new StateError(
        'READ_ONLY',
        "the commit feed lives in the writer's thread: use writer: 'inline', or changes()",
      );
    }
    return this.#host.feed;
  }

  /** The writer worker (null with `writer: 'inline'`): its `threadId` names it in pin listings. */
  get writerWorker(): Worker | null {
    return this.#worker;
  }

  /**
   * Runs a query (see `query()` in src/query) on the newest version, in the reader pool, or in this
   * thread when the pool has no threads or the query is small (`runIn`, default `'auto'`: it reads
   * at most {@link SMALL_QUERY_ROWS} rows). With `parallel: true` its row groups are split across the
   * pool's workers, all reading one version, and the parts merged.
   */
  query(plan: QueryPlan | QueryBuilder, options?: QueryOptions): Promise<QueryResult> {
    return this.#pool.query(plan instanceof QueryBuilder ? plan.build() : plan, options);
  }

  /**
   * How many queries ran in the calling thread and how many in the reader pool since the start
   * (see `QueryOptions.runIn`): what tells an operator where queries go.
   */
  get queriesRun(): { readonly caller: number; readonly pool: number } {
    return this.#pool.ran;
  }

  /** Threads of the reader pool (0: queries run in the calling thread). */
  get readers(): number {
    return this.#pool.threads;
  }

  /** See {@link StateClient.submit}. */
  submit(batch: Batch | BatchBuilder, options?: SubmitOptions): Promise<number> {
    return this.client.submit(batch, options);
  }

  /** See {@link StateClient.update}. */
  update(
    fn: (snapshot: Snapshot) => UpdateResult | Promise<UpdateResult>,
    options?: UpdateOptions,
  ): Promise<number> {
    return this.client.update(fn, options);
  }

  /**
   * Runs `fn` in a transaction in this thread, the writer's (`writer: 'inline'` only), and returns
   * the version it published, as `store.write` does. The version is visible when this returns;
   * await `settled(version, policy)` for stronger policies.
   */
  write(fn: (tx: Transaction) => void): number {
    if (this.#host === null) {
      throw new StateError(
        'READ_ONLY',
        "write(fn) runs in the writer's thread, and this runtime's writer is a worker: submit a batch, or use update(fn)",
      );
    }
    return this.#host.store.write(fn);
  }

  /** See {@link StateClient.settled}. */
  settled(version: number, policy?: SettlePolicy): Promise<void> {
    return this.client.settled(version, policy);
  }

  /** See {@link StateClient.snapshot}. */
  snapshot(options?: { durable?: boolean }): Snapshot {
    return this.client.snapshot(options);
  }

  /** See {@link StateClient.read}. */
  read<T>(fn: (snapshot: Snapshot) => T): T {
    return this.client.read(fn);
  }

  /** See {@link StateClient.watch}. */
  watch(options?: WatchOptions): AsyncGenerator<Snapshot, void, undefined> {
    return this.client.watch(options);
  }

  /** See {@link StateClient.changes}. */
  changes(from: number): AsyncGenerator<CommitRecord, void, undefined> {
    return this.client.changes(from);
  }

  /**
   * Drains and stops: this thread's submits are answered, the writer applies what it has queued,
   * every client is told (their later submits fail with STORE_CLOSED), the writer worker exits and
   * this thread's pins are released. Clients in other threads should close themselves too.
   */
  close(): Promise<void> {
    // Serialized with restart(): a close never runs in the middle of one, nor twice.
    return this.#lifecycle.runExclusive(() => this.#close());
  }

  /**
   * Reopens the runtime from its persistence folder: closes what is left of this one (a writer
   * worker that died included: its log and the memory of its last version are what remains), then
   * starts a new runtime with the same schema and options, which recovers the folder. Resolves with
   * the new runtime, whose handle differs: clients of this one must attach again (theirs fail with
   * STORE_CLOSED or WRITER_DIED). Needs `persistPath`: without a folder there is nothing to reopen.
   */
  restart(): Promise<StateRuntime> {
    return this.#lifecycle.runExclusive(async () => {
      if (this.#options.persistPath === undefined) {
        throw new StateError(
          'INVALID_OPTION',
          'restart() reopens the state from its persistence folder; this runtime has none (option persistPath)',
        );
      }
      await this.#close();
      return StateRuntime.start(this.#schema, this.#options);
    });
  }

  #close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#pool.close();
        await this.client.close();
        if (this.#host !== null) {
          await this.#host.close();
        } else {
          // A worker that already died has nothing to drain: posting to it does nothing. Ref it
          // again so that this thread waits for its exit.
          this.#worker!.ref();
          this.#worker!.postMessage({ t: 'close' } satisfies WriterControl);
          await this.#exited;
        }
        // The writer appended its last records: sync them, and write the final checkpoint.
        await this.#persistence?.close();
      } finally {
        this.#unlock?.();
      }
    })();
    return this.#closing;
  }
}
