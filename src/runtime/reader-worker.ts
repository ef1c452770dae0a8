import { Worker } from 'node:worker_threads';
import { StateError, type StateErrorCode } from '../errors.js';
import type { StoreHandle } from '../store/store.js';
import type { ReaderReply, ReaderRequest, ScanResult } from './reader-host.js';
import { resolveWorker } from './worker-entry.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * A worker thread attached to a store, answering reads: the package's `workers/reader` entry with
 * a promise per request. Use it to read the same memory from other threads without writing a
 * worker of your own.
 *
 * @deprecated Run reads in other threads with `StateRuntime`'s reader pool (`runtime.query`), or
 * `attach(runtime.handle())` in your own workers. Kept for code that uses it.
 */
export class ReaderWorker {
  /** The underlying worker (its `threadId` names it in pin listings). */
  readonly worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (reply: ReaderReply) => {
      const p = this.#pending.get(reply.id);
      if (p === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new StateError(reply.code as StateErrorCode, reply.message));
    });
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', (code) => this.#failAll(new Error(`reader worker exited with code ${code}`)));
  }

  /** Starts a reader worker and waits until it has attached to the store of `handle`. */
  static async start(handle: StoreHandle): Promise<ReaderWorker> {
    const entry = resolveWorker(new URL('../../workers/reader.js', import.meta.url));
    const reader = new ReaderWorker(new Worker(entry.filename, { argv: entry.argv, workerData: { handle } }));
    await new Promise<unknown>((resolve, reject) => reader.#pending.set(0, { resolve, reject }));
    return reader;
  }

  /** Pins the newest version in the worker; later reads use it until `release()`. */
  pin(): Promise<{ version: number }> {
    return this.#request({ op: 'pin' }) as Promise<{ version: number }>;
  }

  /** Releases the worker's held pin. */
  release(): Promise<void> {
    return this.#request({ op: 'release' }).then(() => undefined);
  }

  /** Sums one numeric column on the raw arrays, in the worker. */
  scan(table: string, column: string): Promise<ScanResult> {
    return this.#request({ op: 'scan', table, column }) as Promise<ScanResult>;
  }

  /** Reads one row by key, in the worker. */
  get(table: string, key: number | string): Promise<Record<string, unknown> | null> {
    return this.#request({ op: 'get', table, key }) as Promise<Record<string, unknown> | null>;
  }

  /** Detaches the worker from the store and ends it. */
  async close(): Promise<void> {
    await this.#request({ op: 'close' });
    await this.worker.terminate();
  }

  #request(req: Without<ReaderRequest>): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
