import { Worker } from 'node:worker_threads';
import { StateError } from '../errors.js';
import type { CheckpointerData, CheckpointerMessage, CheckpointSummary } from '../persist/checkpointer.js';
import type { ExportMetadata } from '../persist/export/index.js';
import type { PersistConfig } from '../persist/options.js';
import type { PersisterData, PersisterMessage } from '../persist/persister.js';
import { errorFromWire } from './wire.js';
import { resolveWorker } from './worker-entry.js';
import type { WriterAddress } from './writer-host.js';

/** The checkpoint worker's answers to requests. */
type Answer = Extract<CheckpointerMessage, { t: 'done' | 'exported' }>;

function start(module: string, workerData: unknown): Worker {
  const entry = resolveWorker(new URL(`../../workers/${module}.js`, import.meta.url));
  const worker = new Worker(entry.filename, { argv: entry.argv, workerData });
  // Neither keeps the process alive on its own: the runtime's close() ends them.
  worker.unref();
  return worker;
}

function reply<T extends { t: string }>(worker: Worker, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (!match(m)) return;
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number) => {
      worker.off('message', onMessage);
      reject(new StateError('PERSIST_FAILED', `a persistence worker exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

/**
 * The runtime's side of persistence: the persistence worker (makes the write-ahead log durable, see
 * src/persist/persister.ts) and the checkpoint worker (writes checkpoints, see checkpointer.ts),
 * started once the writer has recovered the folder and opened the log.
 */
export class Persistence {
  readonly #persister: Worker;
  readonly #checkpointer: Worker;
  #next = 1;
  /** The first failure the persistence worker reported (the store is read-only from then on). */
  failure: StateError | null = null;

  private constructor(persister: Worker, checkpointer: Worker) {
    this.#persister = persister;
    this.#checkpointer = checkpointer;
    persister.on('message', (m: PersisterMessage) => {
      if (m.t === 'failed') {
        this.failure ??= errorFromWire(m.error);
        process.emitWarning(`persistence failed: ${m.error.message}`, { code: 'ACS_PERSIST_FAILED' });
      }
    });
  }

  /** Starts both workers for the writer at `address`, and waits until the checkpoint worker attached. */
  static async start(config: PersistConfig, address: WriterAddress): Promise<Persistence> {
    const persister = start('persist', {
      control: address.store.control,
      walFolder: config.walFolder,
      walPosition: address.walPosition!,
      durability: config.durability,
      syncIntervalMs: config.syncIntervalMs,
    } satisfies PersisterData);
    const checkpointer = start('checkpoint', {
      store: address.store,
      folder: config.folder,
      walFolder: config.walFolder,
      format: config.format,
      keep: config.keep,
      intervalMs: config.intervalMs,
      exportRoot: config.exportRoot,
      exportIntervalMs: config.exportIntervalMs,
      incarnation: address.runtimeId,
    } satisfies CheckpointerData);
    await reply<{ t: string }>(checkpointer, (m) => m.t === 'ready');
    return new Persistence(persister, checkpointer);
  }

  /** Writes a checkpoint of the newest version now; resolves when it is on disk (null: nothing new). */
  async checkpoint(): Promise<CheckpointSummary | null> {
    const m = await this.#ask('checkpoint');
    return m.t === 'done' ? m.summary : null;
  }

  /** Refreshes the shared-memory export now; resolves with its metadata (null: no export configured). */
  async refreshExport(): Promise<ExportMetadata | null> {
    const m = await this.#ask('export');
    return m.t === 'exported' ? m.metadata : null;
  }

  /** Sends a request to the checkpoint worker and waits for its answer, raising the error it reports. */
  async #ask(request: 'checkpoint' | 'export'): Promise<Answer> {
    const id = this.#next++;
    const answer = request === 'checkpoint' ? 'done' : 'exported';
    const done = reply<CheckpointerMessage>(this.#checkpointer, (m) => m.t === answer && m.id === id);
    this.#checkpointer.postMessage({ t: request, id } satisfies CheckpointerMessage);
    const m = (await done) as Answer;
    if (m.error !== null) throw errorFromWire(m.error);
    return m;
  }

  /**
   * After the writer closed (every record in the log): syncs the log a last time, writes the final
   * checkpoint, and ends both workers. Returns the final checkpoint (null if nothing was new).
   */
  async close(): Promise<CheckpointSummary | null> {
    const synced = reply<PersisterMessage>(this.#persister, (m) => m.t === 'closed');
    this.#persister.ref();
    this.#persister.postMessage({ t: 'close' } satisfies PersisterMessage);
    await synced.catch(() => {});
    const closed = reply<CheckpointerMessage>(this.#checkpointer, (m) => m.t === 'closed');
    this.#checkpointer.ref();
    this.#checkpointer.postMessage({ t: 'close' } satisfies CheckpointerMessage);
    const m = (await closed) as Extract<CheckpointerMessage, { t: 'closed' }>;
    await Promise.all([this.#persister.terminate(), this.#checkpointer.terminate()]);
    if (m.error !== null) throw errorFromWire(m.error);
    return m.summary;
  }
}
