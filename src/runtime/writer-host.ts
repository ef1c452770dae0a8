import { type MessagePort, threadId } from 'node:worker_threads';
import { UpdateBytes } from '../codec/apply-bytes.js';
import { decodeBatch } from '../codec/batch-codec.js';
import { StateError } from '../errors.js';
import { W_PERSIST_FAILED } from '../memory/control.js';
import type { Durability, PersistConfig } from '../persist/options.js';
import { type RecoveryReport, recoverInto } from '../persist/recover.js';
import type { Schema } from '../schema/schema.js';
import { Store, type StoreHandle, type StoreOptions } from '../store/store.js';
import type { Transaction } from '../store/transaction.js';
import { CommitFeed, type FeedOptions } from './feed.js';
import { LazyRecord, MARKER } from './feed-record.js';
import { Journal } from './journal.js';
import type { RingHandle } from './transport/ring.js';
import { createDoorbell, RingReader, waitDoorbell } from './transport/ring.js';
import {
  type ClientMessage,
  type ConnectRequest,
  errorToWire,
  type WireError,
  type WriterMessage,
} from './wire.js';

/** Options of the writer: the store's, the feed's, and how it shares its thread. */
export interface WriterHostOptions extends Omit<StoreOptions, 'onCommit' | 'recordEffects'>, FeedOptions {
  /**
   * The longest the writer applies batches before it lets its event loop run other work (attach
   * requests, new connections, close), in milliseconds (default 4).
   */
  sliceMs?: number;
  /**
   * @internal The persistence folder, resolved by the runtime: the writer recovers the state from
   * it and appends every version's record to its write-ahead log.
   */
  persist?: PersistConfig | null;
}

/** Everything a client needs to reach this writer. Structured-clonable. */
export interface WriterAddress {
  readonly runtimeId: string;
  /** The thread that runs the writer: connect requests go there. */
  readonly writerThread: number;
  readonly store: StoreHandle;
  /** The word a client's ring rings when it has batches for a writer that may be asleep. */
  readonly doorbell: Int32Array;
  /** How submits become durable (null: the store has no persistence folder). */
  readonly durability: Durability | null;
  /** The write-ahead log's shared position (see WalWriter.shared), or null. */
  readonly walPosition: SharedArrayBuffer | null;
}

interface Connection {
  readonly port: MessagePort | LocalPort;
  /** Acknowledgements waiting for the end of the slice, as parallel arrays. */
  seqs: number[];
  versions: number[];
  readonly streams: Map<number, Stream>;
  closed: boolean;
  /** The client's ring of submitted batches (clients in other threads), else null. */
  readonly ring: RingReader | null;
  /** The sequence number of the ring's next batch: a ring keeps order, so frames count them. */
  ringSeq: number;
}

interface Stream {
  /** The next version to send. */
  next: number;
  credit: number;
}

interface Pending {
  readonly conn: Connection;
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** A connection within the writer's own thread: messages are delivered on a later microtask. */
export interface LocalPort {
  postMessage(message: WriterMessage): void;
  close(): void;
}

const hosts = new Map<string, WriterHost>();
let listening = false;

/** The writer of `address` if it runs in this thread. */
export function findHost(address: WriterAddress): WriterHost | undefined {
  return address.writerThread === threadId ? hosts.get(address.runtimeId) : undefined;
}

function onWorkerMessage(value: unknown): void {
  const req = value as ConnectRequest | null;
  if (req === null || typeof req !== 'object' || req.kind !== 'acs:connect') return;
  const host = hosts.get(req.runtimeId);
  if (host === undefined) {
    req.port.postMessage({
      t: 'closing',
      error: { code: 'STORE_CLOSED', message: `runtime ${req.runtimeId} is closed`, details: {} },
    } satisfies WriterMessage);
    req.port.close();
    return;
  }
  host.connect(req.port, req.ring);
}

/**
 * The writer of a runtime, in whatever thread runs it (a writer worker, or the main thread with
 * `writer: 'inline'`): it owns the store, applies the batches its clients submit, each all or
 * nothing as its own version, in the order each client sent them, and records every published
 * version in the commit feed.
 *
 * Batches are queued as they arrive and applied in slices of at most `sliceMs`: between slices the
 * event loop serves attach and connect requests and `close()`, so a saturated writer still answers
 * them within a slice. Acknowledgements are coalesced into one message per client per slice.
 */
export class WriterHost {
  readonly store: Store;
  readonly feed: CommitFeed;
  readonly runtimeId: string;
  readonly #queue: Pending[] = [];
  #queueHead = 0;
  readonly #conns = new Set<Connection>();
  readonly #sliceMs: number;
  #scheduled = false;
  /** The bytes of the batch being applied: the commit hook records them as they came. */
  #current: Uint8Array | null = null;
  /** Applies submitted batches of updates without decoding them (see codec/apply-bytes.ts). */
  readonly #updates: UpdateBytes;
  #closing: Promise<void> | null = null;
  #drained: (() => void) | null = null;
  readonly #persist: PersistConfig | null;
  /** The write-ahead log (a store with a persistence folder), or null. */
  #journal: Journal | null = null;
  /** Whether a slice is applying batches (its records go to the log when it ends). */
  #inSlice = false;
  /** What recovering the persistence folder found (null without one). */
  readonly recovery: RecoveryReport | null = null;
  /** Rung by clients that wrote into an empty ring (see RingWriter#put). */
  readonly #bell = createDoorbell();
  /** Whether a wait on the doorbell is pending (one at a time). */
  #sleeping = false;
  /** Frames read from one ring in one pass at most, so that every ring is served each pass. */
  static readonly RING_FRAMES = 256;

  constructor(runtimeId: string, schema: Schema, options: WriterHostOptions = {}) {
    const { sliceMs, windowRecords, windowBytes, persist = null, ...storeOptions } = options;
    this.runtimeId = runtimeId;
    this.#sliceMs = sliceMs ?? 4;
    this.#persist = persist;
    let feed: CommitFeed | null = null;
    this.store = Store.create(schema, {
      ...storeOptions,
      recordEffects: true,
      onCommit: (version, tx) => {
        // Versions replayed from disk are in the log already, and come with gaps the feed refuses.
        if (feed === null) return;
        const record = this.#record(version, tx);
        feed.append(record, record.size);
        if (this.#journal !== null) {
          this.#journal.add(record);
          // An inline write outside a slice goes to the log at once; a slice flushes at its end.
          if (!this.#inSlice) this.#journal.flush();
        }
      },
    });
    if (persist !== null) {
      try {
        this.recovery = recoverInto(this.store, schema, persist);
        this.#journal = new Journal(this.store, persist.walFolder, persist.durability);
      } catch (err) {
        this.store.close();
        throw err;
      }
    }
    this.#updates = new UpdateBytes(this.store);
    feed = new CommitFeed(this.store.version, { windowRecords, windowBytes });
    this.feed = feed;
    feed.onDrain = () => this.#schedule();
    feed.listen(() => this.#pumpStreams());
    hosts.set(runtimeId, this);
    if (!listening) {
      listening = true;
      process.on('workerMessage', onWorkerMessage);
    }
  }

  /** The address clients connect to. */
  address(): WriterAddress {
    return {
      runtimeId: this.runtimeId,
      writerThread: threadId,
      store: this.store.handle(),
      doorbell: this.#bell,
      durability: this.#persist?.durability ?? null,
      walPosition: this.#journal?.position ?? null,
    };
  }

  /**
   * Serves a client on `port` (another thread's end of a MessageChannel, or a local port), and
   * reads its batches from `ring` when it has one.
   */
  connect(port: MessagePort | LocalPort, ring: RingHandle | null = null): (message: ClientMessage) => void {
    const conn: Connection = {
      port,
      seqs: [],
      versions: [],
      streams: new Map(),
      closed: false,
      ring: ring === null ? null : new RingReader(ring),
      ringSeq: 1,
    };
    const receive = (m: ClientMessage) => this.#receive(conn, m);
    if (this.#closing !== null) {
      port.postMessage({ t: 'closing', error: closedError(this.runtimeId) });
      port.close();
      return receive;
    }
    this.#conns.add(conn);
    // Batches may be in the ring already.
    if (conn.ring !== null) this.#schedule();
    if ('on' in port) {
      port.on('message', receive);
      // A client thread that dies closes its end: forget it (its queued batches still apply).
      port.on('close', () => this.#forget(conn));
      // The port must not keep the writer's thread alive on its own: close() decides that.
      port.unref();
    }
    return receive;
  }

  /**
   * Stops taking batches, applies those already queued, tells every client, and closes the store.
   * Resolves when done; later calls return the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // Apply what was submitted before close: the queue and every ring, until all are empty.
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        this.#schedule();
      });
      const error = closedError(this.runtimeId);
      for (const conn of this.#conns) {
        this.#flush(conn);
        conn.port.postMessage({ t: 'closing', error });
        conn.port.close();
      }
      this.#conns.clear();
      // Wake our own doorbell wait so that nothing of ours stays pending.
      Atomics.add(this.#bell, 0, 1);
      Atomics.notify(this.#bell, 0);
      hosts.delete(this.runtimeId);
      if (hosts.size === 0 && listening) {
        listening = false;
        process.off('workerMessage', onWorkerMessage);
      }
      this.#journal?.close();
      this.store.close();
    })();
    return this.#closing;
  }

  #receive(conn: Connection, m: ClientMessage): void {
    switch (m.t) {
      case 'submit':
        if (this.#closing !== null) {
          conn.port.postMessage({ t: 'nack', seq: m.seq, error: closedError(this.runtimeId) });
          return;
        }
        this.#queue.push({ conn, seq: m.seq, bytes: m.bytes });
        this.#schedule();
        return;
      case 'changes':
        this.#openStream(conn, m.id, m.from, m.credit);
        return;
      case 'credit': {
        const s = conn.streams.get(m.id);
        if (s !== undefined) {
          s.credit += m.n;
          this.#pump(conn, m.id, s);
        }
        return;
      }
      case 'unsubscribe':
        conn.streams.delete(m.id);
        return;
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#slice());
  }

  /**
   * Applies submitted batches for at most one slice: the queue (this thread's and port-borne
   * batches), then each client's ring, a bounded number of frames each so that every client is
   * served in every pass. Then it acknowledges them, one message per client, and either goes on in
   * the next turn of the event loop, or waits for the feed to drain, or sleeps on the doorbell.
   */
  #slice(): void {
    this.#scheduled = false;
    this.#inSlice = true;
    // Load the doorbell before looking at the rings: a batch written after a ring was found empty
    // then rings a value other than `seen`, and the wait below returns at once (see waitDoorbell).
    const seen = Atomics.load(this.#bell, 0);
    const deadline = performance.now() + this.#sliceMs;
    const touched = new Set<Connection>();
    let worked = false;
    const queue = this.#queue;
    while (this.#queueHead < queue.length && !this.feed.congested) {
      const p = queue[this.#queueHead]!;
      queue[this.#queueHead++] = undefined as unknown as Pending;
      this.#applyFrom(p.conn, p.seq, p.bytes, touched);
      worked = true;
      if (performance.now() >= deadline) break;
    }
    if (this.#queueHead === queue.length) {
      queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 4096) {
      queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    let ringsEmpty = true;
    for (const conn of this.#conns) {
      const ring = conn.ring;
      if (ring === null) continue;
      for (let n = 0; n < WriterHost.RING_FRAMES; n++) {
        if (this.feed.congested || ((n & 15) === 15 && performance.now() >= deadline)) {
          ringsEmpty = false;
          break;
        }
        // A view into the ring, valid until the next read: applied (and copied if recorded) now.
        const view = ring.read();
        if (view === null) break;
        this.#applyFrom(conn, conn.ringSeq++, view, touched);
        worked = true;
        if (n === WriterHost.RING_FRAMES - 1) ringsEmpty = false;
      }
      ring.release();
      if (conn.closed && ringsEmpty) this.#conns.delete(conn);
    }
    this.#inSlice = false;
    // The slice's records go to the log in one write, before their acknowledgements.
    this.#journal?.flush();
    for (const conn of touched) this.#flush(conn);
    if (this.feed.congested) return; // onDrain schedules the next slice
    if (worked || this.#queueHead < queue.length || !ringsEmpty) {
      this.#schedule();
      return;
    }
    if (this.#drained !== null) {
      const done = this.#drained;
      this.#drained = null;
      done();
      return;
    }
    this.#sleep(seen);
  }

  /** Sleeps until a client rings the doorbell (never blocking the event loop). */
  #sleep(seen: number): void {
    if (this.#sleeping || this.#closing !== null) return;
    this.#sleeping = true;
    void waitDoorbell(this.#bell, seen).then(() => {
      this.#sleeping = false;
      if (this.#closing === null || this.#drained !== null) this.#schedule();
    });
  }

  /** Applies one client's batch and files its acknowledgement or rejection. */
  #applyFrom(conn: Connection, seq: number, bytes: Uint8Array, touched: Set<Connection>): void {
    const outcome = this.#apply(bytes);
    if (typeof outcome === 'number') {
      conn.seqs.push(seq);
      conn.versions.push(outcome);
      touched.add(conn);
    } else {
      // Acknowledge what came before first, so that a client's replies arrive in its order.
      this.#flush(conn);
      if (!conn.closed) conn.port.postMessage({ t: 'nack', seq, error: outcome });
    }
  }

  /** Applies one batch: its version, or the error that rejected it (nothing changed then). */
  #apply(bytes: Uint8Array): number | WireError {
    if (Atomics.load(this.store.controlBlock.i32, W_PERSIST_FAILED) !== 0) {
      return errorToWire(
        new StateError(
          'PERSIST_FAILED',
          `runtime ${this.runtimeId} could not make its log durable and takes no more writes; reopen it from disk`,
        ),
      );
    }
    try {
      this.#current = bytes;
      // A batch of updates is applied from its bytes, or left (unchanged) to decodeBatch.
      const version = this.#updates.apply(bytes);
      if (version >= 0) return version;
      const { batch } = decodeBatch(bytes);
      // The feed keeps the submitted bytes (see #record): recording the effects again would only
      // copy every value of the batch for nothing.
      return this.store.apply(batch, { record: false });
    } catch (err) {
      return errorToWire(err);
    } finally {
      this.#current = null;
    }
  }

  #record(version: number, tx: Transaction | null): LazyRecord {
    if (tx === null) return new LazyRecord(version, null, MARKER);
    const submitted = this.#current;
    // Only the batch being applied is the submitted one: the versions after it in the same apply
    // are the writer's own (tx null above). Bytes read from a ring are a view the producer will
    // overwrite: the record keeps a copy.
    this.#current = null;
    if (submitted === null) return new LazyRecord(version, null, tx.batch);
    return new LazyRecord(
      version,
      submitted.buffer instanceof SharedArrayBuffer ? submitted.slice() : submitted,
      null,
    );
  }

  #flush(conn: Connection): void {
    if (conn.seqs.length === 0) return;
    if (!conn.closed) conn.port.postMessage({ t: 'acks', seqs: conn.seqs, versions: conn.versions });
    conn.seqs = [];
    conn.versions = [];
  }

  #forget(conn: Connection): void {
    conn.closed = true;
    conn.streams.clear();
    // A ring may still hold batches the client sent before it went: the next slice applies them
    // and then forgets the connection.
    if (conn.ring === null) this.#conns.delete(conn);
    else this.#schedule();
  }

  #openStream(conn: Connection, id: number, from: number, credit: number): void {
    if (from < this.feed.windowStart) {
      conn.port.postMessage({ t: 'changes-error', id, error: expired(from, this.feed.windowStart) });
      return;
    }
    const s: Stream = { next: Math.max(from + 1, 1), credit };
    conn.streams.set(id, s);
    this.#pump(conn, id, s);
  }

  #pumpStreams(): void {
    for (const conn of this.#conns) for (const [id, s] of conn.streams) this.#pump(conn, id, s);
  }

  #pump(conn: Connection, id: number, s: Stream): void {
    while (s.credit > 0 && s.next <= this.feed.version) {
      const record = this.feed.at(s.next);
      if (record === undefined) {
        conn.streams.delete(id);
        conn.port.postMessage({ t: 'changes-error', id, error: expired(s.next - 1, this.feed.windowStart) });
        return;
      }
      conn.port.postMessage({ t: 'record', id, version: record.version, bytes: record.bytes });
      s.next++;
      s.credit--;
    }
  }
}

function closedError(runtimeId: string): WireError {
  return { code: 'STORE_CLOSED', message: `runtime ${runtimeId} is closed`, details: {} };
}

function expired(from: number, windowStart: number): WireError {
  return errorToWire(
    new StateError(
      'CHANGES_EXPIRED',
      `changes after version ${from} are no longer kept: the window starts after version ${windowStart}`,
    ),
  );
}
