import { randomUUID } from 'node:crypto';
import { BroadcastChannel, type MessagePort, threadId } from 'node:worker_threads';
import { StateError } from '../errors.js';
import { Arena, type ArenaStats } from '../memory/arena.js';
import { type Control, createControl, isControl, openControl, W_CLOSED, W_LEASE } from '../memory/control.js';
import { type SegmentAnnouncement, SegmentTable } from '../memory/segments.js';
import { describePins, type PinInfo, PinTable, readPins, THREAD_TAG } from '../memory/slots.js';
import { currentCounter, DURABLE_WORDS, waitForVersion } from '../memory/version-wait.js';
import { requestAttach, serveAttach, stopServing } from '../runtime/attach.js';
import type { Schema } from '../schema/schema.js';
import { applyBatch } from './apply.js';
import { ArrowViewCache } from './arrow-view.js';
import type { Batch } from './effects.js';
import { compileLayout, type StoreLayout } from './layout.js';
import { Snapshot, type SnapshotContext, type VersionRef } from './snapshot.js';
import { StringCache } from './string-cache.js';
import type { Transaction } from './transaction.js';
import { type CommitHook, Writer } from './writer.js';

/** Options of {@link Store.create}. Every field is optional. */
export interface StoreOptions {
  /**
   * Rows per row group (a power of two, at least 8; default 4096). Small groups copy less on random
   * updates; large ones scan and build Arrow views faster. See docs/benchmarks.md.
   */
  rowGroupSize?: number;
  /** Bytes per arena segment (a multiple of 64, at most 1 GiB; default 64 MiB). */
  segmentBytes?: number;
  /** Ceiling on the arena's bytes (default 4 GiB). A write that needs more fails with ARENA_FULL. */
  maxBytes?: number;
  /** Reader slots: distinct pinned versions across all threads (default 1024). */
  readerSlots?: number;
  /** Commits between two scans of the reader slots for reclamation (default 64). */
  reclaimInterval?: number;
  /** Debug mode: freed blocks are filled with the byte 0xDB, so stale views read garbage visibly. */
  debug?: boolean;
  /**
   * A dictionary domain is compacted (its unreferenced strings dropped, codes renumbered, in a
   * version of its own) once at least this fraction of its strings is dead (default 0.5).
   */
  compactDeadFraction?: number;
  /** Domains with fewer strings than this are never compacted (default 1024). */
  compactMinStrings?: number;
  /**
   * Whether transactions record what they do as an effect batch (`tx.batch`; default true). The
   * write-ahead log and replication need the batches; a store without them may turn this off
   * for faster writes.
   */
  recordEffects?: boolean;
  /** The most UTF-8 bytes of one string value (default 1 MiB); longer ones fail with STRING_TOO_LONG. */
  maxStringBytes?: number;
  /** The most operations in one transaction or batch (default 1,000,000); more fail with BATCH_TOO_LARGE. */
  maxBatchOps?: number;
  /**
   * Told of every version the writer publishes, synchronously and in order: the transaction that
   * made it (closed; read its `batch`), or null for a version the writer made on its own (a
   * dictionary compaction, which changes codes but no row). The runtime's commit feed is built on
   * it. It must not throw: the version is already published when it runs.
   */
  onCommit?: CommitHook;
}

/** Options of {@link Store.attach}. */
export interface AttachOptions {
  /** Ask for the writer role. Refused with WRITER_LEASE_HELD while the owner holds the lease. */
  writer?: boolean;
}

/**
 * Everything another thread needs to attach to a store. Structured-clonable: post it to a worker
 * and call `Store.attach(handle)` there.
 */
export interface StoreHandle {
  readonly kind: 'arrow-cluster-state';
  /** Identifies the store to its owner thread. */
  readonly storeId: string;
  /** The control block. */
  readonly control: SharedArrayBuffer;
  /** The segments that existed when the handle was made; later ones are announced. */
  readonly segments: readonly SharedArrayBuffer[];
  /** Name of the BroadcastChannel on which new segments are announced. */
  readonly channel: string;
  readonly schema: Schema;
  readonly rowGroupSize: number;
}

/** Counters that describe a store's memory and pins. */
export interface StoreStats extends ArenaStats {
  /** The newest published version. */
  version: number;
  /** Bytes of replaced blocks waiting until no pin sees them (writer only; 0 elsewhere). */
  retiredBytes: number;
  /** Every pinned version with its thread. */
  pins: PinInfo[];
}

const DEFAULTS = {
  rowGroupSize: 4096,
  segmentBytes: 64 * 1024 * 1024,
  maxBytes: 4 * 1024 * 1024 * 1024,
  readerSlots: 1024,
  reclaimInterval: 64,
};

function option(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new StateError('INVALID_OPTION', `option ${name} must be an integer in [${min}, ${max}], not ${v}`);
  }
  return v;
}

/** Options of one write (`store.write`, `apply`, `applyAt`). */
export interface WriteOptions {
  /**
   * Publish exactly this version (above the newest; gaps allowed), even if nothing changes: how a
   * log or a replica replays a record. See {@link Store.applyAt}.
   */
  readonly version?: number;
  /**
   * `false`: this transaction records no effects, even in a store made with `recordEffects`
   * (its `tx.batch` then refuses, as in a store that records none). For writes whose effects are
   * kept elsewhere already: a submitted batch's own bytes, a log being replayed. Recording copies
   * every row and value a write is given, a fifth of the cost of an insert.
   */
  readonly record?: boolean;
}

/**
 * A multi-version state store in shared memory. One thread owns it and writes; any thread can
 * attach and read pinned versions zero-copy. Readers never wait for the writer and the writer never
 * waits for readers.
 */
export class Store {
  readonly #layout: StoreLayout;
  readonly #ctl: Control;
  readonly #segments: SegmentTable;
  readonly #ctx: SnapshotContext;
  readonly #storeId: string;
  readonly #channelName: string;
  readonly #writer: Writer | null;
  readonly #arena: Arena | null;
  readonly #port: MessagePort | null;
  readonly #announcer: BroadcastChannel | null;
  #writing = false;
  #closed = false;

  private constructor(init: {
    layout: StoreLayout;
    ctl: Control;
    segments: SegmentTable;
    storeId: string;
    channelName: string;
    writer: Writer | null;
    arena: Arena | null;
    port: MessagePort | null;
    announcer: BroadcastChannel | null;
    strings: StringCache;
  }) {
    this.#layout = init.layout;
    this.#ctl = init.ctl;
    this.#segments = init.segments;
    this.#storeId = init.storeId;
    this.#channelName = init.channelName;
    this.#writer = init.writer;
    this.#arena = init.arena;
    this.#port = init.port;
    this.#announcer = init.announcer;
    this.#ctx = {
      storeId: init.storeId,
      segments: init.segments,
      layout: init.layout,
      pins: new PinTable(init.ctl),
      arrow: new ArrowViewCache(),
      strings: init.strings,
      meta: null,
    };
  }

  /** Creates a store in this thread, which becomes its owner and writer. */
  static create(schema: Schema, options: StoreOptions = {}): Store {
    const rowGroupSize = option('rowGroupSize', options.rowGroupSize, DEFAULTS.rowGroupSize, 8, 2 ** 24);
    const segmentBytes = option('segmentBytes', options.segmentBytes, DEFAULTS.segmentBytes, 4096, 2 ** 30);
    if (segmentBytes % 64 !== 0)
      throw new StateError('INVALID_OPTION', `option segmentBytes must be a multiple of 64`);
    const maxBytes = option(
      'maxBytes',
      options.maxBytes,
      DEFAULTS.maxBytes,
      segmentBytes,
      Number.MAX_SAFE_INTEGER,
    );
    const readerSlots = option('readerSlots', options.readerSlots, DEFAULTS.readerSlots, 1, 2 ** 20);
    const reclaimInterval = option(
      'reclaimInterval',
      options.reclaimInterval,
      DEFAULTS.reclaimInterval,
      1,
      2 ** 30,
    );
    const layout = compileLayout(schema, rowGroupSize);
    const ctl = createControl(16, readerSlots, threadId);
    Atomics.store(ctl.i32, W_LEASE, THREAD_TAG);
    const storeId = randomUUID();
    const channelName = `arrow-cluster-state:${storeId}`;
    const announcer = new BroadcastChannel(channelName);
    announcer.unref();
    const segments = new SegmentTable(null);
    const arena = new Arena(
      segments,
      { segmentBytes, maxBytes, poison: options.debug === true },
      (index, sab) => announcer.postMessage({ kind: 'segment', index, sab } satisfies SegmentAnnouncement),
    );
    arena.describePins = () => describePins(ctl);
    const compactDeadFraction = options.compactDeadFraction ?? 0.5;
    if (!(compactDeadFraction > 0 && compactDeadFraction < 1)) {
      throw new StateError(
        'INVALID_OPTION',
        `option compactDeadFraction must be in (0, 1), not ${compactDeadFraction}`,
      );
    }
    const compaction = {
      minStrings: option('compactMinStrings', options.compactMinStrings, 1024, 1, Number.MAX_SAFE_INTEGER),
      deadFraction: compactDeadFraction,
    };
    const strings = new StringCache();
    const record = options.recordEffects !== false;
    const limits = {
      maxStringBytes: option('maxStringBytes', options.maxStringBytes, 1 << 20, 1, 2 ** 30),
      maxBatchOps: option('maxBatchOps', options.maxBatchOps, 1_000_000, 1, 2 ** 31),
    };
    const writer = new Writer(arena, ctl, layout, {
      reclaimInterval,
      compaction,
      strings,
      record,
      limits,
      onCommit: options.onCommit,
    });
    const store = new Store({
      layout,
      ctl,
      segments,
      storeId,
      channelName,
      writer,
      arena,
      port: null,
      announcer,
      strings,
    });
    serveAttach(storeId, { control: ctl, buffers: () => segments.buffers() });
    return store;
  }

  /**
   * Attaches this thread to a store created in another thread (or this one) from its handle. The
   * result reads; it writes only if it holds the writer lease, which the owner keeps while open.
   */
  static async attach(handle: StoreHandle, options: AttachOptions = {}): Promise<Store> {
    if (
      handle === null ||
      typeof handle !== 'object' ||
      handle.kind !== 'arrow-cluster-state' ||
      !isControl(handle.control)
    ) {
      throw new StateError('INVALID_HANDLE', 'not a store handle: pass the value of store.handle()');
    }
    const ctl = openControl(handle.control);
    if (Atomics.load(ctl.i32, W_CLOSED) === 1)
      throw new StateError('STORE_CLOSED', `store ${handle.storeId} is closed`);
    if (options.writer === true) {
      const holder = Atomics.load(ctl.i32, W_LEASE);
      throw new StateError(
        'WRITER_LEASE_HELD',
        holder === 0
          ? `store ${handle.storeId} has no writer and its allocator state is gone; reopen it from disk`
          : `store ${handle.storeId} already has a writer: thread ${holder - 1} holds the lease`,
      );
    }
    // Subscribe before asking for the segment table, so a segment made in between is not missed.
    const channel = new BroadcastChannel(handle.channel);
    const segments = new SegmentTable(channel);
    channel.onmessage = (event) => {
      const m = (event as MessageEvent).data as SegmentAnnouncement;
      if (m?.kind === 'segment') segments.add(m.index, m.sab);
    };
    channel.unref();
    handle.segments.forEach((sab, i) => {
      segments.add(i, sab);
    });
    let port: MessagePort | null;
    try {
      const reply = await requestAttach(ctl, handle.storeId);
      reply.segments.forEach((sab, i) => {
        segments.add(i, sab);
      });
      port = reply.port;
    } catch (err) {
      segments.close();
      throw err;
    }
    const layout = compileLayout(handle.schema, handle.rowGroupSize);
    return new Store({
      layout,
      ctl,
      segments,
      storeId: handle.storeId,
      channelName: handle.channel,
      writer: null,
      arena: null,
      port,
      announcer: null,
      strings: new StringCache(),
    });
  }

  /** The store's schema. */
  get schema(): Schema {
    return this.#layout.schema;
  }

  /** Whether this store object can write (it is the owner and holds the writer lease). */
  get writable(): boolean {
    return this.#writer !== null && !this.#closed;
  }

  /** The newest published version. */
  get version(): number {
    return Number(Atomics.load(this.#ctl.i64, this.#ctl.versionIndex));
  }

  /** A structured-clonable handle for `Store.attach` in another thread. */
  handle(): StoreHandle {
    this.#open();
    return {
      kind: 'arrow-cluster-state',
      storeId: this.#storeId,
      control: this.#ctl.sab,
      segments: this.#segments.buffers(),
      channel: this.#channelName,
      schema: this.#layout.schema,
      rowGroupSize: this.#layout.rowGroupSize,
    };
  }

  /**
   * Runs `fn` in a transaction and publishes its changes as one new version, all or nothing. If
   * `fn` throws, nothing changes and the error propagates. Returns the published version (the
   * current one if `fn` changed nothing). With `version`, see {@link applyAt}: the transaction is
   * published as exactly that version (how a checkpoint is restored at its own version).
   */
  write(fn: (tx: Transaction) => void, options: WriteOptions = {}): number {
    this.#open();
    const writer = this.#writer;
    if (writer === null) {
      throw new StateError(
        'READ_ONLY',
        `this thread attached to store ${this.#storeId} as a reader; write in its owner thread`,
      );
    }
    if (this.#writing)
      throw new StateError('NESTED_WRITE', 'store.write() was called inside another write callback');
    // Before the flag: begin refuses a bad replay version, and then nothing was started.
    const tx = writer.begin(options.version, options.record !== false);
    this.#writing = true;
    try {
      fn(tx);
      return writer.commit(tx);
    } catch (err) {
      writer.abort(tx);
      throw err;
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Applies a batch of effects (from `batch()...build()` or a transaction's `tx.batch`) all or
   * nothing as one version, and returns it. A failed precondition or a bad effect raises its
   * `StateError` and changes nothing.
   */
  apply(effects: Batch, options: Pick<WriteOptions, 'record'> = {}): number {
    return this.write((tx) => applyBatch(tx, effects), options);
  }

  /**
   * Applies `batch` (null: nothing) as exactly version `version`, which must be above the newest,
   * and publishes it even if it changes nothing: how a write-ahead log or a replica replays a
   * record, so that version numbers mean the same before and after (gaps allowed). Replayed
   * versions start no dictionary compaction: the record of a compaction is a marker replayed as
   * an empty version. A failure changes nothing, as with `apply`.
   */
  applyAt(version: number, batch: Batch | null, options: Pick<WriteOptions, 'record'> = {}): number {
    return this.write(
      (tx) => {
        if (batch !== null) applyBatch(tx, batch);
      },
      { ...options, version },
    );
  }

  /**
   * Pins the newest version (call `release()` on the snapshot when done), or with `durable: true`
   * the newest version whose log records are on disk: what a crash could not take back. That one
   * may be a little older than the newest; it fails with NOT_DURABLE before the first sync.
   */
  snapshot(options: { durable?: boolean } = {}): Snapshot {
    this.#open();
    if (options.durable !== true) return new Snapshot(this.#ctx, true);
    // The newest version itself when the durable word has reached it: the durable root, which the
    // writer publishes on its next wake-up after the word moves, may still be the version before.
    // (The word only grows, so a version at or below it stays durable.)
    const newest = new Snapshot(this.#ctx, true);
    if (newest.version <= currentCounter(this.#ctl, DURABLE_WORDS)) return newest;
    newest.release();
    const pin = this.#ctx.pins.pinDurable();
    if (pin === null) {
      throw new StateError(
        'NOT_DURABLE',
        `store ${this.#storeId} has published no durable version yet (it needs a persistence folder, and a first sync)`,
      );
    }
    return new Snapshot(this.#ctx, true, pin);
  }

  /**
   * Reads a version another thread lent (`snapshot.lend()`), without pinning it. Only as long as the
   * lender's snapshot stays pinned: release the borrowed snapshot first. Pinned versions reach as
   * far back as the lender's, beyond the root ring.
   */
  borrow(ref: VersionRef): Snapshot {
    this.#open();
    if (ref === null || typeof ref !== 'object' || ref.storeId !== this.#storeId) {
      throw new StateError(
        'INVALID_HANDLE',
        `not a version of store ${this.#storeId}: pass a snapshot's lend()`,
      );
    }
    if (!(ref.version >= 1 && ref.version <= this.version)) {
      throw new StateError(
        'INVALID_HANDLE',
        `version ${ref.version} was never published by store ${this.#storeId}`,
      );
    }
    // A borrowed version is safe to read without a pin of ours: the lender's pin keeps every block
    // of it from being reclaimed, for as long as the lender promises to hold it.
    const pin = { version: ref.version, slot: 0, rootSeg: ref.rootSeg, rootOff: ref.rootOff, count: 0 };
    return new Snapshot(this.#ctx, false, pin, true);
  }

  /** @internal The control block: the runtime's durability words live there. */
  get controlBlock(): Control {
    return this.#ctl;
  }

  /** This store's id (the same in every thread attached to it). */
  get id(): string {
    return this.#storeId;
  }

  /** Pins the newest version around `fn`, releasing it when `fn` returns or its promise settles. */
  read<T>(fn: (snapshot: Snapshot) => T): T {
    this.#open();
    const snap = new Snapshot(this.#ctx, false);
    let result: T;
    try {
      result = fn(snap);
    } catch (err) {
      snap.release();
      throw err;
    }
    if (result instanceof Promise) {
      return result.finally(() => snap.release()) as T;
    }
    snap.release();
    return result;
  }

  /**
   * Resolves with the newest version once it is above `after`, in any thread, without blocking the
   * event loop; with the current version when `timeoutMs` passes or `signal` aborts first.
   */
  waitForVersion(after: number, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number> {
    this.#open();
    return waitForVersion(this.#ctl, after, options.timeoutMs, options.signal);
  }

  /** Frees the retired blocks that no pin can see now; returns the bytes freed (0 in readers). */
  reclaim(): number {
    this.#open();
    return this.#writer?.reclaim() ?? 0;
  }

  /** Memory and pin counters. Arena figures are the writer's; readers see zeros there. */
  stats(): StoreStats {
    const arena = this.#arena?.stats() ?? {
      arenaBytes: 0,
      segments: this.#segments.length,
      usedBytes: 0,
      freeBytes: 0,
    };
    return {
      ...arena,
      version: this.version,
      retiredBytes: this.#writer?.retiredBytes ?? 0,
      pins: readPins(this.#ctl),
    };
  }

  /**
   * Closes this store object. In a reader it releases the thread's pins and detaches; in the owner
   * it also gives up the writer lease and marks the store closed for new attachments. Memory stays
   * valid while any thread holds a reference to it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ctx.pins.close();
    this.#segments.close();
    this.#port?.close();
    if (this.#writer !== null) {
      Atomics.store(this.#ctl.i32, W_CLOSED, 1);
      Atomics.store(this.#ctl.i32, W_LEASE, 0);
      stopServing(this.#storeId);
      this.#announcer?.close();
    }
  }

  #open(): void {
    if (this.#closed)
      throw new StateError('STORE_CLOSED', `store ${this.#storeId} was closed in this thread`);
  }
}
