import { randomUUID } from 'node:crypto';
import { encodeBatch, encodeBatchWith } from '../codec/batch-codec.js';
import { StateError } from '../errors.js';
import { W_PERSIST_FAILED } from '../memory/control.js';
import { currentCounter, DURABLE_WORDS, waitAbove } from '../memory/version-wait.js';
import type { Durability } from '../persist/options.js';
import { QueryBuilder, type QueryPlan, type QueryResult, runQuery } from '../query/index.js';
import { type Batch, BatchBuilder } from '../store/effects.js';
import type { Snapshot } from '../store/snapshot.js';
import { Store } from '../store/store.js';
import { BytePool } from './byte-pool.js';
import { ChangeStream } from './changes.js';
import { requestConnect } from './connect.js';
import type { CommitRecord } from './feed.js';
import { type Link, localLink, portLink } from './link.js';
import { createRing, RingWriter } from './transport/ring.js';
import { type WatchOptions, watchSnapshots } from './watch.js';
import { errorFromWire, type WireError, type WriterMessage } from './wire.js';
import { findHost, type WriterAddress } from './writer-host.js';

/**
 * When a submit resolves: `visible` once its version is published (every thread can read it).
 * Durability adds `durable`, replication `replicated`.
 */
export type SettlePolicy = 'visible' | 'durable' | 'replicated';

/** Everything a thread needs to attach to a runtime. Structured-clonable: post it to a worker. */
export interface RuntimeHandle {
  readonly kind: 'acs-runtime';
  readonly address: WriterAddress;
}

/** Options of {@link StateClient.submit}. */
export interface SubmitOptions {
  /** When the returned promise resolves (default `visible`). */
  policy?: SettlePolicy;
}

/** Options of {@link StateClient.update}. */
export interface UpdateOptions extends SubmitOptions {
  /** Further attempts after a `PRECONDITION_FAILED` (default 16); then the last error rejects. */
  retries?: number;
}

/** Options of {@link attach}. */
export interface ClientOptions {
  /** Batches sent and not yet answered, at most (default 1,024); more submits wait their turn. */
  maxInFlight?: number;
  /**
   * The largest encoded batch, in bytes (default 4 MiB); larger ones fail with BATCH_TOO_LARGE,
   * never split. A client in another thread than the writer's sends batches through a ring of
   * shared memory of this size (twice this in memory).
   */
  maxBatchBytes?: number;
}

/** What `update`'s function returns: the batch to submit, or null when there is nothing to do. */
export type UpdateResult = Batch | BatchBuilder | null;

interface Pending {
  resolve(version: number): void;
  reject(error: Error): void;
}

/**
 * A thread's way into a runtime: submit batches to its writer, read pinned versions zero-copy,
 * watch for changes. The same API in every thread and with either kind of writer.
 *
 * Each batch is applied all or nothing as its own version, in the order this client submitted
 * them; a rejected batch rejects with the engine's `StateError` (same code, message and details)
 * and the batches behind it still apply.
 */
export class StateClient {
  /** This client's producer id: it is stamped, with a sequence number, on every batch it submits. */
  readonly producerId: string = randomUUID();
  readonly #store: Store;
  readonly #ownsStore: boolean;
  readonly #link: Link;
  /** Where a client that sends through a ring keeps its encoded batches (null: its own buffers). */
  readonly #pool: BytePool | null;
  readonly #pooled = (bytes: Uint8Array) => this.#pool!.copy(bytes);
  readonly #maxInFlight: number;
  readonly #maxBatchBytes: number;
  /** The runtime's durability (null: no persistence folder), and the policy submits get by default. */
  readonly #durability: Durability | null;
  readonly #defaultPolicy: SettlePolicy;
  readonly #pending = new Map<number, Pending>();
  /** Submits waiting for room in flight, oldest at `#waitHead` (a queue without shift()'s O(n)). */
  #waiting: { seq: number; bytes: Uint8Array }[] = [];
  #waitHead = 0;
  readonly #streams = new Map<number, ChangeStream>();
  readonly #closed = new AbortController();
  #seq = 0;
  #streamId = 0;
  #inFlight = 0;
  #failure: StateError | null = null;
  #closing: Promise<void> | null = null;
  /** Durable waits (see settled), served by one watcher (#watchDurable). */
  readonly #durableWaits: { version: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Called once no submit is pending any more (close waits for that). */
  readonly #drainWaiters: (() => void)[] = [];

  private constructor(
    store: Store,
    ownsStore: boolean,
    address: WriterAddress,
    connect: (c: StateClient) => Link,
    options: ClientOptions,
    pool: BytePool | null,
  ) {
    this.#store = store;
    this.#pool = pool;
    this.#durability = address.durability;
    // Under 'always' a submit resolves once durable, unless the caller asks for less.
    this.#defaultPolicy = address.durability === 'always' ? 'durable' : 'visible';
    this.#ownsStore = ownsStore;
    this.#maxInFlight = options.maxInFlight ?? 1024;
    this.#maxBatchBytes = options.maxBatchBytes ?? DEFAULT_BATCH_BYTES;
    this.#link = connect(this);
  }

  /** @internal Attaches from a handle; use {@link attach}. */
  static async open(handle: RuntimeHandle, options: ClientOptions = {}): Promise<StateClient> {
    if (handle === null || typeof handle !== 'object' || handle.kind !== 'acs-runtime') {
      throw new StateError('INVALID_HANDLE', 'not a runtime handle: pass the value of runtime.handle()');
    }
    const { address } = handle;
    const host = findHost(address);
    const events = (c: StateClient) => ({
      message: (m: WriterMessage) => c.#onMessage(m),
      lost: () => c.#fail(new StateError('WRITER_DIED', `the writer of runtime ${address.runtimeId} died`)),
    });
    if (host !== undefined) {
      // The writer runs in this thread: share its store, and talk to it without a port.
      // The writer keeps submitted bytes as its feed records: each batch has a buffer of its own.
      return new StateClient(host.store, false, address, (c) => localLink(host, events(c)), options, null);
    }
    const store = await Store.attach(address.store);
    try {
      const limit = options.maxBatchBytes ?? DEFAULT_BATCH_BYTES;
      // The smallest power of two that holds a frame of the largest batch.
      let capacity = 1024;
      while (capacity < limit + 8) capacity *= 2;
      const ring = createRing({ capacity, maxFrameBytes: limit, doorbell: address.doorbell });
      const port = await requestConnect(address, ring);
      return new StateClient(
        store,
        true,
        address,
        (c) => portLink(port, new RingWriter(ring), events(c)),
        options,
        new BytePool(),
      );
    } catch (err) {
      store.close();
      throw err;
    }
  }

  /** The newest published version. */
  get version(): number {
    return this.#store.version;
  }

  /** The store this client reads (an attached reader, or the writer's own in its thread). */
  get store(): Store {
    return this.#store;
  }

  /**
   * Submits a batch to the writer. Resolves with the version that applied it (the current version
   * if it changed nothing), once the policy holds; rejects with the `StateError` that refused it,
   * in which case nothing changed.
   */
  submit(batch: Batch | BatchBuilder, options: SubmitOptions = {}): Promise<number> {
    const policy = options.policy ?? this.#defaultPolicy;
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const refused = this.#refusal(policy);
    if (refused !== null) return Promise.reject(refused);
    const b = batch instanceof BatchBuilder ? batch.build() : batch;
    const seq = this.#seq + 1;
    let bytes: Uint8Array;
    try {
      // Encoded now, so that the batch is what it was when submitted even if the caller reuses it.
      const encoded = { effects: b.effects, producer: this.producerId, seq };
      bytes = this.#pool === null ? encodeBatch(encoded) : encodeBatchWith(encoded, 0, this.#pooled);
    } catch (err) {
      return Promise.reject(err);
    }
    if (bytes.byteLength > this.#maxBatchBytes) {
      return Promise.reject(
        new StateError(
          'BATCH_TOO_LARGE',
          `the batch encodes to ${bytes.byteLength} bytes, above this client's limit of ${this.#maxBatchBytes} (option maxBatchBytes); batches are never split`,
        ),
      );
    }
    this.#seq = seq;
    const visible = new Promise<number>((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      if (this.#inFlight < this.#maxInFlight && this.#waitHead === this.#waiting.length)
        this.#send(seq, bytes);
      else this.#waiting.push({ seq, bytes });
    });
    return policy === 'visible' ? visible : visible.then((v) => this.settled(v, policy).then(() => v));
  }

  /**
   * Read, then write, without a lost update: runs `fn` on a snapshot of the newest version to build
   * a batch whose preconditions state what it read, submits it, and if a precondition failed
   * (another writer got there first) runs `fn` again on a newer snapshot, up to `retries` times.
   * `fn` returns null when there is nothing to do; the result is then the version it read.
   */
  async update(
    fn: (snapshot: Snapshot) => UpdateResult | Promise<UpdateResult>,
    options: UpdateOptions = {},
  ): Promise<number> {
    const retries = options.retries ?? 16;
    let last: StateError | null = null;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const snap = this.#store.snapshot();
      let built: UpdateResult;
      try {
        built = await fn(snap);
      } finally {
        snap.release();
      }
      if (built === null) return snap.version;
      try {
        return await this.submit(built, options);
      } catch (err) {
        if (!(err instanceof StateError && err.code === 'PRECONDITION_FAILED')) throw err;
        last = err;
      }
    }
    throw new StateError(
      'PRECONDITION_FAILED',
      `update gave up after ${retries + 1} attempts; the last: ${last!.message}`,
      last!.details,
    );
  }

  /**
   * Resolves once `version` holds under `policy`: `visible`, published; `durable`, its log record
   * is on disk (one fdatasync covers every record written before it). Rejects with PERSIST_FAILED
   * if the log could not be made durable.
   */
  async settled(version: number, policy: SettlePolicy = 'visible'): Promise<void> {
    const refused = this.#refusal(policy);
    if (refused !== null) throw refused;
    if (policy === 'visible') {
      while (this.#store.version < version) {
        if (this.#failure !== null) throw this.#failure;
        await this.#store.waitForVersion(version - 1, { timeoutMs: 1000, signal: this.#closed.signal });
      }
      return;
    }
    if (currentCounter(this.#store.controlBlock, DURABLE_WORDS) >= version) return;
    // One watcher per client serves every durable wait: thousands of submits in flight must not
    // each sleep on the word (and each register an abort listener).
    await new Promise<void>((resolve, reject) => {
      this.#durableWaits.push({ version, resolve, reject });
      if (this.#durableWaits.length === 1) void this.#watchDurable();
    });
  }

  /** Sleeps on the durable word while durable waits are pending, settling them as it advances. */
  async #watchDurable(): Promise<void> {
    const ctl = this.#store.controlBlock;
    let durable = currentCounter(ctl, DURABLE_WORDS);
    const waits = this.#durableWaits;
    while (waits.length > 0) {
      let error: StateError | null = null;
      if (Atomics.load(ctl.i32, W_PERSIST_FAILED) !== 0) {
        error = new StateError(
          'PERSIST_FAILED',
          'the log could not be made durable, so these versions are not; the store takes no more writes',
        );
      } else if (this.#closed.signal.aborted) {
        error = this.#failure ?? new StateError('STORE_CLOSED', 'this client was closed');
      }
      // Keep the waits not yet reached; settle the rest (all of them on an error).
      let kept = 0;
      for (const w of waits) {
        if (error !== null) w.reject(error);
        else if (w.version <= durable) w.resolve();
        else waits[kept++] = w;
      }
      waits.length = error === null ? kept : 0;
      if (waits.length === 0) return;
      durable = await waitAbove(ctl, DURABLE_WORDS, durable, 1000);
    }
  }

  /** Why `policy` cannot be honoured here, or null. */
  #refusal(policy: SettlePolicy): StateError | null {
    if (policy === 'visible') return null;
    if (policy === 'durable' && (this.#durability === 'always' || this.#durability === 'interval'))
      return null;
    return unsupported(policy, this.#durability);
  }

  /** Runs a query on the newest version in this thread (the runtime's `query` uses its pool). */
  query(plan: QueryPlan | QueryBuilder): QueryResult {
    const p = plan instanceof QueryBuilder ? plan.build() : plan;
    return this.#store.read((s) => runQuery(s, p));
  }

  /**
   * Pins the newest version; call `release()` when done. With `durable: true`, the newest version
   * whose log records are on disk (NOT_DURABLE before the first sync, or without persistence).
   */
  snapshot(options: { durable?: boolean } = {}): Snapshot {
    return this.#store.snapshot(options);
  }

  /** Pins the newest version around `fn`, released when `fn` returns or its promise settles. */
  read<T>(fn: (snapshot: Snapshot) => T): T {
    return this.#store.read(fn);
  }

  /**
   * Snapshots as the state changes: first the newest, then each time one of `tables` (any table
   * when not given) changed, always the newest version: a slow consumer skips versions, never
   * queues them. A yielded snapshot stays pinned until the next step; the iteration ends (and
   * releases it) on `break`, on `signal`, or when this client closes.
   */
  watch(options: WatchOptions = {}): AsyncGenerator<Snapshot, void, undefined> {
    return watchSnapshots(this.#store, options, this.#closed.signal);
  }

  /**
   * The commit feed from version `from` on: the record of every version after `from`, in order,
   * each as FlatBuffers bytes (`decodeBatch` reads them). Fails with CHANGES_EXPIRED when `from`,
   * or the point this reader fell behind to, is older than the writer's window of recent records.
   * Ends on `break` or when this client closes.
   */
  changes(from: number): AsyncGenerator<CommitRecord, void, undefined> {
    const id = ++this.#streamId;
    const stream = new ChangeStream(
      (n) => this.#link.send({ t: 'credit', id, n }),
      () => {
        this.#streams.delete(id);
        this.#link.send({ t: 'unsubscribe', id });
        this.#idle();
      },
    );
    if (this.#failure !== null) stream.fail(this.#failure);
    else {
      this.#streams.set(id, stream);
      this.#link.ref();
      this.#link.send({ t: 'changes', id, from, credit: stream.credit });
    }
    return stream.iterate();
  }

  /**
   * Waits for every submitted batch to be answered, ends watches and change streams, and detaches
   * (this thread's pins are released). Later submits fail with STORE_CLOSED.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#pending.size > 0) await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
      if (this.#failure === null) this.#failure = new StateError('STORE_CLOSED', 'this client was closed');
      this.#closed.abort();
      for (const s of this.#streams.values()) s.end();
      this.#streams.clear();
      this.#link.close();
      if (this.#ownsStore) this.#store.close();
    })();
    return this.#closing;
  }

  #send(seq: number, bytes: Uint8Array): void {
    this.#inFlight++;
    if (this.#inFlight === 1) this.#link.ref();
    // The bytes are ours alone: transfer them rather than copy (pooled ones go through the ring).
    const transfer = this.#pool === null && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : undefined;
    this.#link.send({ t: 'submit', seq, bytes }, transfer);
  }

  #onMessage(m: WriterMessage): void {
    switch (m.t) {
      case 'acks':
        for (let i = 0; i < m.seqs.length; i++) this.#settle(m.seqs[i]!, m.versions[i]!, null);
        break;
      case 'nack':
        this.#settle(m.seq, 0, m.error);
        break;
      case 'record':
        this.#streams.get(m.id)?.push({ version: m.version, bytes: m.bytes });
        break;
      case 'changes-error': {
        const s = this.#streams.get(m.id);
        this.#streams.delete(m.id);
        s?.fail(errorFromWire(m.error));
        this.#idle();
        break;
      }
      case 'closing':
        this.#fail(errorFromWire(m.error));
        break;
    }
  }

  #settle(seq: number, version: number, error: WireError | null): void {
    const p = this.#pending.get(seq);
    if (p === undefined) return;
    this.#pending.delete(seq);
    this.#inFlight--;
    while (this.#inFlight < this.#maxInFlight && this.#waitHead < this.#waiting.length) {
      const next = this.#waiting[this.#waitHead]!;
      this.#waiting[this.#waitHead++] = undefined as unknown as { seq: number; bytes: Uint8Array };
      if (this.#waitHead === this.#waiting.length) {
        this.#waiting = [];
        this.#waitHead = 0;
      }
      this.#send(next.seq, next.bytes);
    }
    this.#idle();
    if (error === null) p.resolve(version);
    else p.reject(errorFromWire(error));
  }

  /** Lets the thread exit once nothing is awaited from the writer; wakes a waiting close. */
  #idle(): void {
    if (this.#inFlight === 0 && this.#streams.size === 0) this.#link.unref();
    if (this.#pending.size === 0) for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  /** The writer is gone (closed or dead): everything pending and later fails with `error`. */
  #fail(error: StateError): void {
    if (this.#failure === null) this.#failure = error;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#waiting = [];
    this.#waitHead = 0;
    this.#inFlight = 0;
    for (const p of pending) p.reject(error);
    for (const s of this.#streams.values()) s.fail(error);
    this.#streams.clear();
    this.#idle();
  }
}

const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;

/** Attaches this thread to a runtime from its handle (`runtime.handle()`, posted to a worker). */
export function attach(handle: RuntimeHandle, options: ClientOptions = {}): Promise<StateClient> {
  return StateClient.open(handle, options);
}

function unsupported(policy: string, durability: Durability | null): StateError {
  const why =
    policy === 'durable'
      ? durability === 'none'
        ? "policy durable needs a durability that syncs the log ('always' or 'interval'); this runtime has 'none'"
        : 'policy durable needs a persistence folder (persistPath), which this runtime does not have'
      : policy === 'replicated'
        ? 'policy replicated needs replication, which this runtime does not have'
        : `unknown settle policy ${JSON.stringify(policy)}: use visible, durable or replicated`;
  return new StateError('INVALID_OPTION', why);
}
