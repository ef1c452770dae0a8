import { StateError } from '../errors.js';
import type { Arena } from '../memory/arena.js';
import { type Control, W_NOTIFY, W_WAITERS } from '../memory/control.js';
import { pinnedVersions } from '../memory/slots.js';
import {
  D_BYTES_SEG,
  D_CHANGED,
  D_HASH_SEG,
  D_LENGTH,
  D_OFF_SEG,
  domainEntry,
  offOf,
  packRef,
  R_META_BIRTH,
  R_META_BYTES,
  R_META_OFF,
  R_META_SEG,
  ROOT_HEADER,
  type StoreLayout,
  segOf,
  T_DIR_SEG,
  T_LOC_SEG,
  TABLE_WORDS,
} from './layout.js';
import { encodeMeta, type MetaValue } from './meta.js';
import { RetiredBlocks } from './reclaim.js';
import type { StringCache } from './string-cache.js';
import { Transaction } from './transaction.js';
import { type TxContext, TxCore, type WriteLimits, writeTableEntry } from './write/core.js';

/** When the writer compacts dictionary domains. */
export interface CompactionOptions {
  /** Domains with fewer strings are never compacted. */
  minStrings: number;
  /** Compact a domain once at least this fraction of its strings is referenced by no row. */
  deadFraction: number;
}

/** Options of the writer. */
export interface WriterOptions {
  reclaimInterval: number;
  compaction: CompactionOptions;
  /** The owner thread's decoded strings, shared with its snapshots. */
  strings: StringCache;
  /** Whether transactions record their effects. */
  record: boolean;
  limits: WriteLimits;
  /** Called after each version is published (see {@link CommitHook}). */
  onCommit?: CommitHook | undefined;
}

/**
 * Told of every version the writer publishes, synchronously, right after publication: `tx` is the
 * transaction that made it (closed, its `batch` still readable), or null for a version the writer
 * made on its own (a dictionary compaction). It must not throw: the version is already published.
 */
export type CommitHook = (version: number, tx: Transaction | null) => void;

/**
 * The single writer of a store: it runs transactions, publishes their versions through the root
 * ring, retires what they replaced and frees it once no pin can see it. It lives in the thread
 * that holds the writer lease; nothing here is shared with other threads except through the arena
 * and the control block.
 */
export class Writer {
  readonly #arena: Arena;
  readonly #ctl: Control;
  readonly #layout: StoreLayout;
  readonly #retired = new RetiredBlocks();
  readonly #reclaimInterval: number;
  readonly #compaction: CompactionOptions;
  /** The state of the one transaction at a time, reused by each. */
  readonly #core: TxCore;
  /**
   * Per domain: live strings found by the last check. The next check waits until the domain
   * outgrows it, or as many cells were released, by the dead fraction: a check scans every column
   * of the domain, so this keeps its cost O(1) per interned string or released cell, amortized.
   */
  readonly #checkedLive: number[];
  /** Domains the last commit grew or released cells of (see commit). */
  readonly #touched: number[] = [];
  /** Per domain: cells holding its codes at the last check. */
  readonly #checkedCells: number[];
  /** Per domain: cells of its codes deleted or overwritten since the last check. */
  readonly #released: number[];
  readonly #onCommit: CommitHook | null;
  #compacting = false;
  /** Whether the open transaction publishes its exact version (see begin). */
  #exact = false;
  #version = 0;
  #root = -1;
  #sinceScan = 0;

  constructor(arena: Arena, ctl: Control, layout: StoreLayout, options: WriterOptions) {
    this.#arena = arena;
    this.#ctl = ctl;
    this.#layout = layout;
    this.#reclaimInterval = options.reclaimInterval;
    this.#compaction = options.compaction;
    this.#onCommit = options.onCommit ?? null;
    const ctx: TxContext = {
      arena,
      layout,
      strings: options.strings,
      record: options.record,
      limits: options.limits,
    };
    this.#core = new TxCore(ctx);
    this.#checkedLive = new Array(layout.domains.length).fill(0);
    this.#checkedCells = new Array(layout.domains.length).fill(0);
    this.#released = new Array(layout.domains.length).fill(0);
    arena.onPressure = () => this.reclaim() > 0;
    this.#publishInitial();
  }

  /** The newest published version. */
  get version(): number {
    return this.#version;
  }

  /** Bytes of replaced blocks still waiting for their versions to be unpinned. */
  get retiredBytes(): number {
    return this.#retired.bytes;
  }

  /**
   * Starts a transaction on the newest version. With `at`, its commit publishes exactly version
   * `at` (above the newest), even if it changes nothing, and starts no compaction of its own: how a
   * log or a replica replays a record so that version numbers mean the same on both sides.
   * `record: false` records no effects even if the store does (see `WriteOptions.record`).
   */
  begin(at?: number, record = true): Transaction {
    if (at !== undefined && !(Number.isSafeInteger(at) && at > this.#version)) {
      throw new StateError(
        'INVALID_OPTION',
        `a replayed version must be an integer above the newest, ${this.#version}; not ${at}`,
      );
    }
    this.#exact = at !== undefined;
    this.#core.start(this.#root, at ?? this.#version + 1, record);
    return new Transaction(this.#core);
  }

  /** Publishes a finished transaction as the next version; returns it (the same if nothing changed). */
  commit(tx: Transaction): number {
    // The transaction object is done with, whatever happens next: later calls on it are refused.
    tx.close();
    const { tables, retired, dropped, allocated, domains, released, broken, meta } = this.#core.finish();
    if (broken) {
      throw new StateError(
        'TX_BROKEN',
        'an operation of this transaction failed half done and its error was caught inside the write callback; nothing was committed',
      );
    }
    let changed = meta !== null;
    for (const t of tables) if (t?.dirty) changed = true;
    for (const d of domains) if (d?.dirty) changed = true;
    const exact = this.#exact;
    this.#exact = false;
    if (!changed && !exact) {
      this.#freeAll(allocated);
      return this.#version;
    }
    const version = this.#core.version;
    const bytes = this.#layout.rootBytes;
    // Both new blocks before anything changes: a full arena then leaves the store as it was.
    const metaBlock = meta === null ? null : this.#metaBlock(meta);
    let root: number;
    try {
      root = this.#arena.alloc(bytes);
    } catch (err) {
      if (metaBlock !== null && metaBlock.ref >= 0) this.#arena.free(metaBlock.ref, metaBlock.bytes);
      throw err;
    }
    const f64 = this.#arena.get(segOf(root)).f64;
    const r = offOf(root) >> 3;
    // The new root starts as a copy of the old (one memmove), then the entries of what changed.
    const old = this.#arena.get(segOf(this.#root)).f64;
    const o = offOf(this.#root) >> 3;
    if (old === f64) f64.copyWithin(r, o, o + bytes / 8);
    else f64.set(old.subarray(o, o + bytes / 8), r);
    f64[r] = version;
    f64[r + 1] = Date.now();
    for (let t = 0; t < tables.length; t++) {
      const ts = tables[t];
      if (ts?.dirty) writeTableEntry(f64, r + ROOT_HEADER + t * TABLE_WORDS, ts, version);
    }
    if (metaBlock !== null) this.#setMeta(f64, r, metaBlock, version);
    // The domains this commit grew or released cells of: only they can need compacting now. (A
    // compaction's own commit leaves the list alone: the check that made it is iterating it.)
    const checking = !this.#compacting && !exact;
    if (checking) this.#touched.length = 0;
    for (let d = 0; d < domains.length; d++) {
      const td = domains[d];
      const grew = td?.dirty === true;
      if (grew) {
        const w = domainEntry(this.#layout, offOf(root), d);
        f64.set(td!.words, w);
        f64[w + D_CHANGED] = version;
      }
      if (released[d]! > 0) this.#released[d]! += released[d]!;
      if (checking && (grew || released[d]! > 0)) this.#touched.push(d);
    }
    this.#publish(version, root);
    for (let i = 0; i < retired.length; i += 3)
      this.#retired.add(retired[i]!, retired[i + 1]!, retired[i + 2]!, version);
    for (let i = 0; i < dropped.length; i += 2) this.#arena.free(dropped[i]!, dropped[i + 1]!);
    this.#onCommit?.(version, this.#compacting ? null : tx);
    if (++this.#sinceScan >= this.#reclaimInterval) this.reclaim();
    if (checking && this.#touched.length > 0) this.#maybeCompact();
    return version;
  }

  /** Drops a failed transaction: every block it made is freed, and no published block changed. */
  abort(tx: Transaction): void {
    tx.close();
    const { allocated, slots } = this.#core.finish();
    // Hash slots the transaction filled in published blocks point to codes no version will have.
    // Emptying them is safe: every string published before was placed when these slots were
    // empty, so no committed string's probe sequence runs through them.
    for (let i = 0; i < slots.length; i += 2) Atomics.store(this.#arena.get(slots[i]!).i32, slots[i + 1]!, 0);
    this.#freeAll(allocated);
  }

  /**
   * Frees every retired block that no pinned version can see. Runs every `reclaimInterval`
   * commits and when the arena would otherwise grow; returns the bytes freed.
   */
  reclaim(): number {
    this.#sinceScan = 0;
    if (this.#retired.length === 0) return 0;
    // The scan reads the slots after the newest version was stored (publish happened-before), which
    // is what makes a concurrent pin either visible here or retried: see PinTable.
    const pins = pinnedVersions(this.#ctl);
    const all = new Float64Array(pins.length + 1);
    all.set(pins);
    all[pins.length] = this.#version;
    all.sort();
    return this.#retired.sweep(all, (ref, bytes) => this.#arena.free(ref, bytes));
  }

  /**
   * Compacts each dictionary domain whose strings may be mostly dead: deleted identifiers must not
   * stay readable, nor grow the arena, forever. The compaction is a version of its own.
   */
  #maybeCompact(): void {
    const { minStrings, deadFraction } = this.#compaction;
    for (const d of this.#touched) {
      // The root of now: a compaction earlier in this loop published a new one (maybe elsewhere).
      const root = this.#arena.get(segOf(this.#root)).f64;
      const length = root[domainEntry(this.#layout, offOf(this.#root), d) + D_LENGTH]!;
      // Strings die when the domain grows past its live count, or when cells that held codes go.
      const live = this.#checkedLive[d]!;
      const grew = length * (1 - deadFraction) >= live;
      // A check scans every cell of the domain's columns: waiting for as many released cells (by
      // the fraction) keeps its cost O(1) per write even when each string has many cells.
      const released = this.#released[d]! >= Math.max(live, this.#checkedCells[d]!) * deadFraction;
      if (length < minStrings || !(grew || released)) continue;
      this.#released[d] = 0;
      this.#compacting = true;
      const tx = this.begin();
      try {
        // Publishes nothing when too few strings are dead: the transaction then changed nothing.
        const checked = tx.compactDomain(d, Math.ceil(length * deadFraction));
        this.#checkedLive[d] = checked.live;
        this.#checkedCells[d] = checked.cells;
        this.commit(tx);
      } catch (err) {
        // The write that triggered this has committed, so its caller must not see the error: leave
        // the domain as it is and try again once it has grown. A full arena is expected here;
        // anything else is a bug worth a warning.
        this.abort(tx);
        this.#checkedLive[d] = length;
        if (!(err instanceof StateError && err.code === 'ARENA_FULL')) {
          process.emitWarning(
            `compacting dictionary domain ${this.#layout.domains[d]!.name} failed: ${String(err)}`,
            {
              code: 'ACS_COMPACTION_FAILED',
            },
          );
        }
      } finally {
        this.#compacting = false;
      }
    }
  }

  #freeAll(allocated: readonly number[]): void {
    for (let i = 0; i < allocated.length; i += 2) this.#arena.free(allocated[i]!, allocated[i + 1]!);
  }

  /** A new block holding the metadata map (ref -1 for an empty map). */
  #metaBlock(meta: ReadonlyMap<string, MetaValue>): { ref: number; bytes: number } {
    if (meta.size === 0) return { ref: -1, bytes: 0 };
    const bytes = encodeMeta(meta);
    const ref = this.#arena.alloc(bytes.length);
    this.#arena.get(segOf(ref)).u8.set(bytes, offOf(ref));
    return { ref, bytes: bytes.length };
  }

  /** Points the root at word `r` to a new metadata block, retiring the one it named. */
  #setMeta(f64: Float64Array, r: number, block: { ref: number; bytes: number }, version: number): void {
    const oldSeg = f64[r + R_META_SEG]!;
    if (oldSeg >= 0) {
      const old = packRef(oldSeg, f64[r + R_META_OFF]!);
      this.#retired.add(old, f64[r + R_META_BYTES]!, f64[r + R_META_BIRTH]!, version);
    }
    f64[r + R_META_SEG] = block.ref < 0 ? -1 : segOf(block.ref);
    f64[r + R_META_OFF] = block.ref < 0 ? 0 : offOf(block.ref);
    f64[r + R_META_BIRTH] = version;
    f64[r + R_META_BYTES] = block.bytes;
  }

  /** Writes the root ring entry of `version`, then stores the version word. */
  #publish(version: number, root: number): void {
    const { i32, i64, ringIndex, ringMask, versionIndex } = this.#ctl;
    const e = ringIndex + (version & ringMask) * 2;
    // Plain writes: a reader reads this entry only after an Atomics.load that returns `version`,
    // which synchronizes with the Atomics.store below, so it sees them.
    i32[e] = segOf(root);
    i32[e + 1] = offOf(root);
    Atomics.store(i64, versionIndex, BigInt(version));
    // Then wake threads waiting for a new version (see waitForVersion): the notify word is stored
    // after the version, so a woken waiter reads the new version; the waiter count is read after
    // the store, so a waiter that registered too late to be counted finds the new value when it
    // compares the word, and does not sleep.
    Atomics.store(i32, W_NOTIFY, version | 0);
    if (Atomics.load(i32, W_WAITERS) > 0) Atomics.notify(i32, W_NOTIFY);
    if (this.#root >= 0) this.#retired.add(this.#root, this.#layout.rootBytes, this.#version, version);
    this.#root = root;
    this.#version = version;
  }

  /** Version 1: every table empty. */
  #publishInitial(): void {
    const bytes = this.#layout.rootBytes;
    const root = this.#arena.alloc(bytes);
    const f64 = this.#arena.get(segOf(root)).f64;
    const r = offOf(root) >> 3;
    f64.fill(0, r, r + bytes / 8);
    f64[r] = 1;
    f64[r + 1] = Date.now();
    f64[r + 2] = this.#layout.tables.length;
    f64[r + 3] = this.#layout.domains.length;
    f64[r + R_META_SEG] = -1;
    for (let t = 0; t < this.#layout.tables.length; t++) {
      const w = r + ROOT_HEADER + t * TABLE_WORDS;
      f64[w + T_DIR_SEG] = -1;
      f64[w + T_LOC_SEG] = -1;
    }
    for (let d = 0; d < this.#layout.domains.length; d++) {
      const w = domainEntry(this.#layout, offOf(root), d);
      f64[w + D_OFF_SEG] = -1;
      f64[w + D_BYTES_SEG] = -1;
      f64[w + D_HASH_SEG] = -1;
    }
    this.#publish(1, root);
  }
}
