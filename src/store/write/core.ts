import { StateError } from '../../errors.js';
import type { Arena } from '../../memory/arena.js';
import type { SegmentViews } from '../../memory/segments.js';
import { type BlockOps, TxDomain } from '../domain-writer.js';
import type { Effect } from '../effects.js';
import {
  type ColumnLayout,
  domainEntry,
  offOf,
  packRef,
  R_META_BYTES,
  R_META_OFF,
  R_META_SEG,
  ROOT_HEADER,
  type StoreLayout,
  segOf,
  T_CHANGED,
  T_DIR_BIRTH,
  T_DIR_OFF,
  T_DIR_SEG,
  T_LOC_BIRTH,
  T_LOC_OFF,
  T_LOC_SEG,
  T_ROWS,
  TABLE_WORDS,
  type TableLayout,
  tableLayout,
} from '../layout.js';
import { checkMeta, type MetaValue, readMeta } from '../meta.js';
import type { StringDecoder } from '../read.js';
import type { StringCache } from '../string-cache.js';
import type { Cell, CellSite } from '../values.js';

/** The writer's view of one table inside a transaction: the fields of its root entry, made mutable. */
export interface TxTable {
  readonly layout: TableLayout;
  dir: number; // packed ref, -1 when the table never had a row group
  dirBirth: number;
  /** Capacity of the top directory block, in directory pages. */
  dirCap: number;
  groups: number;
  rows: number;
  loc: number; // packed ref of the key locator directory, -1 when none
  locBirth: number;
  locCap: number;
  locPages: number;
  /** Whether this transaction changed the table (reads alone publish nothing). */
  dirty: boolean;
}

/** What a transaction hands back to the writer when it commits. */
export interface TxResult {
  /** Tables changed, by index; undefined for untouched ones. */
  readonly tables: readonly (TxTable | undefined)[];
  /** Published blocks this transaction replaced: ref, bytes, birth triples. */
  readonly retired: readonly number[];
  /** Blocks born and dropped inside this transaction: ref, bytes pairs, free at once on commit. */
  readonly dropped: readonly number[];
  /** Every block allocated: ref, bytes pairs, freed if the transaction aborts. */
  readonly allocated: readonly number[];
  /** Domains changed, by index; undefined for untouched ones. */
  readonly domains: readonly (TxDomain | undefined)[];
  /** Hash slots written in place in published blocks: segment, Int32 index pairs, cleared on abort. */
  readonly slots: readonly number[];
  /** Per domain: cells holding its codes that were deleted or overwritten (a hint for compaction). */
  readonly released: readonly number[];
  /** An operation failed half done (see TxCore.begin): the transaction must not commit. */
  readonly broken: boolean;
  /** The store metadata as the transaction left it, or null when it did not change it. */
  readonly meta: ReadonlyMap<string, MetaValue> | null;
}

/** Limits on what one transaction may write. */
export interface WriteLimits {
  /** UTF-8 bytes of any one string value. */
  maxStringBytes: number;
  /** Operations (effects and preconditions) in one transaction or batch. */
  maxBatchOps: number;
}

/** What every transaction of a writer shares. */
export interface TxContext {
  readonly arena: Arena;
  readonly layout: StoreLayout;
  /** The owner thread's decoded strings. */
  readonly strings: StringCache;
  /** Whether transactions record their effects. */
  readonly record: boolean;
  readonly limits: WriteLimits;
}

/**
 * @internal The copy-on-write state of one transaction: which tables and domains it changed, the
 * blocks it allocated, replaced and dropped, and the operations that make a published block
 * writable. Rows, cells, the key locator and compaction (the other files of this folder) change the
 * store only through it; `Transaction` is its public face.
 *
 * Copy-on-write: the first change to a visible row of a chunk copies the chunk and the row-group
 * block and directory that point to it; later changes in the same transaction go to the copies.
 * Rows past a chunk's high-water mark are invisible to every version and are written in place.
 */
export class TxCore {
  /** The version this transaction will publish. */
  version = 0;
  readonly arena: Arena;
  readonly layout: StoreLayout;
  readonly limits: WriteLimits;
  readonly #record: boolean;
  #rootSeg = -1;
  #rootOff = 0;
  /** Per table and domain: its state in this transaction, undefined until first touched. */
  readonly #tables: (TxTable | undefined)[];
  readonly #domains: (TxDomain | undefined)[];
  /** The state objects themselves, kept from one transaction to the next (less garbage per write). */
  readonly #tableStates: TxTable[] = [];
  readonly #domainStates: TxDomain[] = [];
  /** Hash slots written in place in published blocks (see TxResult). */
  readonly slots: number[] = [];
  /** Per domain: cells holding its codes that were deleted or overwritten. */
  readonly released: number[];
  readonly #stringCache: StringCache;
  readonly #domainOps: BlockOps;
  readonly #decoder: StringDecoder;
  readonly #retired: number[] = [];
  readonly #dropped: number[] = [];
  readonly #allocated: number[] = [];
  /** Scratch for an operation's checked cells and their columns (one operation at a time). */
  readonly cells: Cell[] = [];
  readonly cols: ColumnLayout[] = [];
  readonly #cellSite: CellSite = { key: -1, row: -1, op: 0 };
  /** Operations so far: the index of the next one, for error details and the batch limit. */
  ops = 0;
  /** What the transaction did, as effects; null when the store does not record them. */
  effects: Effect[] | null = null;
  /** Inside an operation's changes (see begin). */
  #inOp = false;
  /** The store metadata, read from the root on first use; #metaDirty once changed. */
  #meta: Map<string, MetaValue> | null = null;
  #metaDirty = false;

  /** One per writer: `start` begins each transaction on it. */
  constructor(ctx: TxContext) {
    const { arena, layout } = ctx;
    this.arena = arena;
    this.layout = layout;
    this.limits = ctx.limits;
    this.#record = ctx.record;
    this.#tables = new Array(layout.tables.length).fill(undefined);
    this.#domains = new Array(layout.domains.length).fill(undefined);
    this.released = new Array(layout.domains.length).fill(0);
    this.#stringCache = ctx.strings;
    const core = this;
    this.#domainOps = {
      get version() {
        return core.version;
      },
      get: (seg) => this.arena.get(seg),
      alloc: (bytes) => this.alloc(bytes),
      drop: (ref, bytes, birth) => this.drop(ref, bytes, birth),
      copy: (from, to, bytes) => this.copy(from, to, bytes),
      wroteSlot: (seg, index) => this.slots.push(seg, index),
    };
    this.#decoder = { decode: (d, code) => this.domain(d).decode(this.arena, code, this.#stringCache) };
  }

  /**
   * Begins a transaction on the root block `rootRef` that will publish `version`, recording its
   * effects if the store does and `record` is not false.
   */
  start(rootRef: number, version: number, record = true): void {
    this.#rootSeg = segOf(rootRef);
    this.#rootOff = offOf(rootRef);
    this.version = version;
    this.#tables.fill(undefined);
    this.#domains.fill(undefined);
    this.released.fill(0);
    this.slots.length = 0;
    this.#retired.length = 0;
    this.#dropped.length = 0;
    this.#allocated.length = 0;
    this.ops = 0;
    this.#inOp = false;
    this.#meta = null;
    this.#metaDirty = false;
    // A new array each time: the batch a transaction recorded may outlive it.
    this.effects = this.#record && record ? [] : null;
  }

  /** Ends the transaction and hands its changes to the writer (until the next `start`). */
  finish(): TxResult {
    return {
      tables: this.#tables,
      retired: this.#retired,
      dropped: this.#dropped,
      allocated: this.#allocated,
      domains: this.#domains,
      slots: this.slots,
      released: this.released,
      broken: this.#inOp,
      meta: this.#metaDirty ? this.#meta : null,
    };
  }

  /** The store metadata with this transaction's changes. */
  meta(): ReadonlyMap<string, MetaValue> {
    if (this.#meta === null) {
      const f64 = this.arena.get(this.#rootSeg).f64;
      const r = this.#rootOff >> 3;
      const map = readMeta(this.arena, f64[r + R_META_SEG]!, f64[r + R_META_OFF]!, f64[r + R_META_BYTES]!);
      this.#meta = new Map(Object.entries(map));
    }
    return this.#meta;
  }

  /** Sets metadata `key` to `value` (null deletes it); a value equal to the current one changes nothing. */
  setMeta(key: string, value: MetaValue | null): void {
    checkMeta(key, value, this.limits.maxStringBytes);
    const map = this.meta() as Map<string, MetaValue>;
    if (value === null ? !map.has(key) : map.get(key) === value) return;
    if (value === null) map.delete(key);
    else map.set(key, value);
    this.#metaDirty = true;
  }

  /** Refuses another operation once the transaction holds as many as a batch may. */
  guard(): void {
    if (this.ops >= this.limits.maxBatchOps) {
      throw new StateError(
        'BATCH_TOO_LARGE',
        `a transaction or batch may hold ${this.limits.maxBatchOps} operations; split the work into several`,
        { op: this.ops },
      );
    }
  }

  /**
   * Marks the start of an operation's changes. Until the matching end(), a throw (a full arena)
   * can leave the operation half done: the transaction is then broken, and committing it refuses.
   * Errors raised before begin() (bad input) leave nothing behind, so a callback may catch those
   * and go on.
   */
  begin(): void {
    this.#inOp = true;
  }

  end(): void {
    this.#inOp = false;
  }

  /** The reused site object of cell checks: where a value is being written, for errors. */
  site(key: number | string, row: number, op: number): CellSite {
    const site = this.#cellSite;
    site.key = key;
    site.row = row;
    site.op = op;
    return site;
  }

  /** The transaction's state of table `name` (read from the root the first time). */
  table(name: string): TxTable {
    const layout = tableLayout(this.layout, name);
    const known = this.#tables[layout.index];
    if (known !== undefined) return known;
    const f64 = this.arena.get(this.#rootSeg).f64;
    const w = (this.#rootOff >> 3) + ROOT_HEADER + layout.index * TABLE_WORDS;
    const dirSeg = f64[w + T_DIR_SEG]!;
    const locSeg = f64[w + T_LOC_SEG]!;
    const dir = dirSeg < 0 ? -1 : packRef(dirSeg, f64[w + T_DIR_OFF]!);
    const loc = locSeg < 0 ? -1 : packRef(locSeg, f64[w + T_LOC_OFF]!);
    const dirWords = dir < 0 ? null : this.views(dir).f64;
    const locWords = loc < 0 ? null : this.views(loc).f64;
    let ts = this.#tableStates[layout.index];
    if (ts === undefined) {
      ts = { layout } as TxTable;
      this.#tableStates[layout.index] = ts;
    }
    ts.dir = dir;
    ts.dirBirth = f64[w + T_DIR_BIRTH]!;
    ts.dirCap = dirWords === null ? 0 : dirWords[(offOf(dir) >> 3) + 1]!;
    ts.groups = dirWords === null ? 0 : dirWords[offOf(dir) >> 3]!;
    ts.rows = f64[w + T_ROWS]!;
    ts.loc = loc;
    ts.locBirth = f64[w + T_LOC_BIRTH]!;
    ts.locCap = locWords === null ? 0 : locWords[(offOf(loc) >> 3) + 1]!;
    ts.locPages = locWords === null ? 0 : locWords[offOf(loc) >> 3]!;
    ts.dirty = false;
    this.#tables[layout.index] = ts;
    return ts;
  }

  /** The transaction's state of dictionary domain `d` (read from the root the first time). */
  domain(d: number): TxDomain {
    const known = this.#domains[d];
    if (known !== undefined) return known;
    const f64 = this.arena.get(this.#rootSeg).f64;
    const w = domainEntry(this.layout, this.#rootOff, d);
    let domain = this.#domainStates[d];
    if (domain === undefined) {
      domain = new TxDomain(this.layout.domains[d]!);
      this.#domainStates[d] = domain;
    }
    domain.start(f64, w);
    this.#domains[d] = domain;
    return domain;
  }

  /** The block operations a domain uses. */
  blockOps(): BlockOps {
    return this.#domainOps;
  }

  /** Decodes dictionary codes with this transaction's strings. */
  strings(): StringDecoder {
    return this.#decoder;
  }

  // --- blocks -----------------------------------------------------------------------------------

  views(ref: number): SegmentViews {
    return this.arena.get(segOf(ref));
  }

  alloc(bytes: number): number {
    const ref = this.arena.alloc(bytes);
    this.#allocated.push(ref, bytes);
    return ref;
  }

  /** Gives up a block: freed at commit if this transaction made it, else retired from this version. */
  drop(ref: number, bytes: number, birth: number): void {
    if (birth === this.version) this.#dropped.push(ref, bytes);
    else this.#retired.push(ref, bytes, birth);
  }

  copy(from: number, to: number, bytes: number): void {
    const src = this.views(from).u8;
    const dst = this.views(to).u8;
    const at = offOf(from);
    if (src === dst) dst.copyWithin(offOf(to), at, at + bytes);
    else dst.set(src.subarray(at, at + bytes), offOf(to));
  }
}

/** Writes the root entry of a table as a transaction left it. */
export function writeTableEntry(f64: Float64Array, w: number, ts: TxTable, version: number): void {
  f64[w + T_DIR_SEG] = ts.dir < 0 ? -1 : segOf(ts.dir);
  f64[w + T_DIR_OFF] = ts.dir < 0 ? 0 : offOf(ts.dir);
  f64[w + T_DIR_BIRTH] = ts.dirBirth;
  f64[w + T_ROWS] = ts.rows;
  f64[w + T_CHANGED] = version;
  f64[w + T_LOC_SEG] = ts.loc < 0 ? -1 : segOf(ts.loc);
  f64[w + T_LOC_OFF] = ts.loc < 0 ? 0 : offOf(ts.loc);
  f64[w + T_LOC_BIRTH] = ts.locBirth;
}
