import type { Table } from 'apache-arrow';
import { StateError } from '../errors.js';
import type { Pin, PinTable } from '../memory/slots.js';
import type { Schema } from '../schema/schema.js';
import { type ArrowViewCache, type ChunkView, chunkView } from './arrow-view.js';
import { decodeCode, domainLength, locateString, lookupCode } from './domain.js';
import {
  columnLayout,
  domainEntry,
  domainLayout,
  GROUP_ENTRY,
  GROUP_HEADER,
  keyCode,
  offOf,
  packRef,
  R_META_BYTES,
  R_META_OFF,
  R_META_SEG,
  ROOT_HEADER,
  type StoreLayout,
  segOf,
  T_CHANGED,
  T_DIR_OFF,
  T_DIR_SEG,
  T_LOC_OFF,
  T_LOC_SEG,
  T_ROWS,
  TABLE_WORDS,
  type TableLayout,
  tableLayout,
} from './layout.js';
import { type MetaMap, type MetaValue, readMeta } from './meta.js';
import { forEachGroup, groupAt, locateKey, readRow, type SegmentSource, type StringDecoder } from './read.js';
import { rowShape } from './row-shape.js';
import type { StringCache } from './string-cache.js';
import type { Key, Row } from './values.js';

/** What snapshots of one attachment share: the thread's segment table, layout, pins and caches. */
export interface SnapshotContext {
  /** The store's id, the same in every attached thread (a lent version names it). */
  readonly storeId: string;
  readonly segments: SegmentSource;
  readonly layout: StoreLayout;
  readonly pins: PinTable;
  readonly arrow: ArrowViewCache;
  readonly strings: StringCache;
  /** The last metadata block this thread decoded: blocks are immutable, so it stays valid. */
  meta: { ref: number; map: MetaMap } | null;
}

interface PinToken {
  pin: Pin | null;
  readonly pins: PinTable;
  readonly tracked: boolean;
  /** A borrowed snapshot holds no pin of its own: releasing it gives nothing back. */
  readonly borrowed: boolean;
}

/**
 * A version as another thread of the same store can read it while the lender keeps its snapshot
 * pinned (see `snapshot.lend()` and `store.borrow()`). Structured-clonable.
 */
export interface VersionRef {
  readonly storeId: string;
  readonly version: number;
  /** Segment and byte offset of the version's root block. */
  readonly rootSeg: number;
  readonly rootOff: number;
}

/** String.prototype.isWellFormed (ES2024, in Node 20) until the TypeScript lib has it. */
interface WellFormed {
  isWellFormed(): boolean;
}

/** keyCode's lookup for tables keyed by integers, which never call it. */
const noStringKeys = (): number => -1;

// A safety net only: a snapshot that is collected unreleased gives its pin back, with a warning,
// so a forgotten release() does not hold memory forever.
const leaks = new FinalizationRegistry<PinToken>((token) => {
  if (token.pin === null) return;
  process.emitWarning(
    `a snapshot of version ${token.pin.version} was garbage-collected without release(); release snapshots explicitly`,
    { code: 'ACS_SNAPSHOT_LEAK' },
  );
  token.pins.unpin(token.pin);
  token.pin = null;
});

/**
 * A pinned, immutable version of the store. Every read through it sees exactly that version, from
 * any thread, without copying and without waiting, until `release()`. Arrays and Arrow tables it
 * returns alias the arena: they must not be written to, and must not be used after release.
 */
export class Snapshot {
  /** The version this snapshot reads. */
  readonly version: number;
  readonly #ctx: SnapshotContext;
  readonly #token: PinToken;
  readonly #rootSeg: number;
  readonly #rootOff: number;
  #at: { t: TableLayout; f64: Float64Array; w: number } | null = null;
  #decoder: StringDecoder | null = null;

  /**
   * @internal Made by `store.snapshot()` (tracked: a leak warning if collected unreleased) and by
   * `store.read()` (untracked: its release is guaranteed, and registering costs as much as the pin).
   * `pin` is the newest version's by default, the durable root's, or for a `borrowed` version one
   * that holds no slot of ours (releasing it gives nothing back).
   */
  constructor(ctx: SnapshotContext, tracked: boolean, pin: Pin = ctx.pins.pin(), borrowed = false) {
    this.version = pin.version;
    this.#ctx = ctx;
    this.#rootSeg = pin.rootSeg;
    this.#rootOff = pin.rootOff;
    this.#token = { pin, pins: ctx.pins, tracked, borrowed };
    if (tracked) leaks.register(this, this.#token, this.#token);
  }

  /**
   * A reference through which another thread attached to the same store reads this very version
   * (`store.borrow(ref)`) without pinning it: valid only while this snapshot stays unreleased. A
   * version leaves the root ring within a millisecond at full write rate, so a pool of workers
   * cannot pin the coordinator's version by number; they borrow it instead.
   */
  lend(): VersionRef {
    this.#root();
    return {
      storeId: this.#ctx.storeId,
      version: this.version,
      rootSeg: this.#rootSeg,
      rootOff: this.#rootOff,
    };
  }

  /** Whether `release()` was called. */
  get released(): boolean {
    return this.#token.pin === null;
  }

  /** When the version was committed, in milliseconds since the epoch. */
  get committedAt(): number {
    return this.#root()[(this.#rootOff >> 3) + 1]!;
  }

  /**
   * The store metadata of this version: the value of `key` (undefined when unset), or with no key
   * the whole map (a frozen object).
   */
  meta(): Readonly<MetaMap>;
  meta(key: string): MetaValue | undefined;
  meta(key?: string): MetaValue | undefined | Readonly<MetaMap> {
    const f64 = this.#root();
    const r = this.#rootOff >> 3;
    const seg = f64[r + R_META_SEG]!;
    const ref = seg < 0 ? -1 : packRef(seg, f64[r + R_META_OFF]!);
    let cached = this.#ctx.meta;
    if (cached === null || cached.ref !== ref) {
      cached = { ref, map: readMeta(this.#ctx.segments, seg, f64[r + R_META_OFF]!, f64[r + R_META_BYTES]!) };
      this.#ctx.meta = cached;
    }
    return key === undefined ? cached.map : cached.map[key];
  }

  /** Number of rows of `table`. */
  count(table: string): number {
    const { f64, w } = this.#entry(table);
    return f64[w + T_ROWS]!;
  }

  /** The last version that changed `table` (at or before this snapshot's version). */
  changedAt(table: string): number {
    const { f64, w } = this.#entry(table);
    return f64[w + T_CHANGED]!;
  }

  /**
   * `table` as an apache-arrow Table: one RecordBatch per row group, whose buffers are the arena's
   * bytes. Batches of row groups unchanged since an earlier call in this thread are reused.
   */
  table(name: string): Table {
    const { t, f64, w } = this.#entry(name);
    const dirSeg = f64[w + T_DIR_SEG]!;
    const src = this.#ctx.segments;
    const groups = dirSeg < 0 ? 0 : src.get(dirSeg).f64[f64[w + T_DIR_OFF]! >> 3]!;
    return this.#ctx.arrow.table(src, t, dirSeg, f64[w + T_DIR_OFF]!, groups, f64, (d) =>
      domainEntry(this.#ctx.layout, this.#rootOff, d),
    );
  }

  /**
   * Zero-copy views of the chunks of one column, in row order: the input of raw-array scans. All
   * row groups, or those in [start, end) (clamped to the table's groups), so that a scan split
   * across threads makes views of its own groups only.
   */
  chunks(table: string, column: string, start = 0, end = Number.POSITIVE_INFINITY): ChunkView[] {
    const { t, f64, w } = this.#entry(table);
    const col = columnLayout(t, column);
    const dirSeg = f64[w + T_DIR_SEG]!;
    if (dirSeg < 0) return [];
    const src = this.#ctx.segments;
    const dirOff = f64[w + T_DIR_OFF]!;
    const groups = src.get(dirSeg).f64[dirOff >> 3]!;
    const from = Math.max(0, Math.min(groups, Math.floor(start)));
    const to = Math.max(from, Math.min(groups, Math.floor(end)));
    const out: ChunkView[] = new Array(to - from);
    // Groups before `from` are skipped by the same walk (a directory page holds 64 of them).
    forEachGroup(src, dirSeg, dirOff, to, (g, seg, off) => {
      if (g < from) return;
      const gv = src.get(seg).f64;
      const b = off >> 3;
      out[g - from] = chunkView(src, gv, b + GROUP_HEADER + col.index * GROUP_ENTRY, col, gv[b]!);
    });
    return out;
  }

  /** Number of row groups of `table` at this version (what `chunks` gives one view each of). */
  groupCount(table: string): number {
    const { f64, w } = this.#entry(table);
    const dirSeg = f64[w + T_DIR_SEG]!;
    return dirSeg < 0 ? 0 : this.#ctx.segments.get(dirSeg).f64[f64[w + T_DIR_OFF]! >> 3]!;
  }

  /**
   * Rows per row group of `table`. Groups are dense (every one full but the last), so row `i` of
   * group `g` is the table's row `g * rowGroupSize + i`.
   */
  rowGroupSize(table: string): number {
    return this.#entry(table).t.rowGroupSize;
  }

  /** The store's schema (the same at every version): what a query checks its plan against. */
  get schema(): Schema {
    return this.#ctx.layout.schema;
  }

  /** The row at position `row`, all columns or only those named. Timestamps are numbers. */
  getAt(table: string, row: number, columns?: readonly string[]): Row {
    const { t, f64, w } = this.#entry(table);
    const rows = f64[w + T_ROWS]!;
    if (!Number.isInteger(row) || row < 0 || row >= rows) {
      throw new StateError(
        'ROW_OUT_OF_RANGE',
        `${t.name} has ${rows} rows at version ${this.version}; row ${row} is not one of them`,
        {
          table: t.name,
          row,
        },
      );
    }
    return this.#read(t, f64, w, row, columns, -1, null);
  }

  /**
   * The row whose primary key is `key`, or null if there is none at this version: all columns, or
   * only those `columns` names (a struct's name reads all its children; "struct.child" one child).
   * Timestamps are numbers, int64 bigints, structs nested objects. A projection is resolved once
   * per array: pass the same array for one you read often.
   */
  get(table: string, key: Key, columns?: readonly string[]): Row | null {
    const { t, f64, w } = this.#entry(table);
    const pos = this.#locate(t, f64, w, key);
    if (pos < 0) return null;
    // A string key is the row's key as stored, unless it had lone surrogates (stored as U+FFFD):
    // no need to decode it. (An integer key might be -0, which the row must give as 0.)
    const exact = typeof key === 'string' && (key as unknown as WellFormed).isWellFormed();
    return this.#read(t, f64, w, pos, columns, exact ? t.key : -1, key);
  }

  /** The position of the row whose primary key is `key`, or -1. */
  locate(table: string, key: Key): number {
    const { t, f64, w } = this.#entry(table);
    return this.#locate(t, f64, w, key);
  }

  /** The code of `value` in dictionary `domain` at this version, or -1: compare codes, not strings. */
  codeOf(domain: string, value: string): number {
    const f64 = this.#root();
    const d = domainLayout(this.#ctx.layout, domain);
    return lookupCode(this.#ctx.segments, f64, domainEntry(this.#ctx.layout, this.#rootOff, d.index), value);
  }

  /** The string of `code` in dictionary `domain` at this version. */
  stringOf(domain: string, code: number): string {
    const f64 = this.#root();
    const d = domainLayout(this.#ctx.layout, domain);
    const w = domainEntry(this.#ctx.layout, this.#rootOff, d.index);
    if (!Number.isInteger(code) || code < 0 || code >= domainLength(f64, w)) {
      throw new StateError(
        'OUT_OF_RANGE',
        `domain ${domain} holds ${domainLength(f64, w)} strings at version ${this.version}; code ${code} is not one of them`,
        { value: code },
      );
    }
    return decodeCode(this.#ctx.segments, f64, w, code);
  }

  /** Number of strings in dictionary `domain` at this version (codes are 0 to size - 1). */
  domainSize(domain: string): number {
    const d = domainLayout(this.#ctx.layout, domain);
    return domainLength(this.#root(), domainEntry(this.#ctx.layout, this.#rootOff, d.index));
  }

  /** Unpins the version. Idempotent. The snapshot and every view from it are unusable after. */
  release(): void {
    const token = this.#token;
    if (token.pin === null) return;
    if (token.tracked) leaks.unregister(token);
    if (!token.borrowed) token.pins.unpin(token.pin);
    token.pin = null;
  }

  #root(): Float64Array {
    const pin = this.#token.pin;
    if (pin === null) {
      throw new StateError(
        'SNAPSHOT_RELEASED',
        `the snapshot of version ${this.version} was released; take a new one`,
      );
    }
    if (pin.slot < 0) {
      throw new StateError(
        'STORE_CLOSED',
        `the store of this snapshot (version ${this.version}) was closed in this thread`,
      );
    }
    return this.#ctx.segments.get(this.#rootSeg).f64;
  }

  /** Decodes codes of this version's domains (made on first use: pinning stays allocation-light). */
  #strings(): StringDecoder {
    if (this.#decoder === null) {
      this.#decoder = {
        decode: (d, code) =>
          this.#ctx.strings.decode(
            this.#ctx.segments,
            this.#root(),
            domainEntry(this.#ctx.layout, this.#rootOff, d),
            d,
            code,
          ),
      };
    }
    return this.#decoder;
  }

  /** The root words and the table's entry in them; one reused object, so reads allocate nothing. */
  #entry(table: string): { t: TableLayout; f64: Float64Array; w: number } {
    const f64 = this.#root();
    let at = this.#at;
    // Reads through one snapshot mostly name one table: compare with the last before the map.
    const t = at !== null && at.t.name === table ? at.t : tableLayout(this.#ctx.layout, table);
    if (at === null) {
      at = { t, f64, w: 0 };
      this.#at = at;
    }
    at.t = t;
    at.f64 = f64;
    at.w = (this.#rootOff >> 3) + ROOT_HEADER + t.index * TABLE_WORDS;
    return at;
  }

  #locate(t: TableLayout, f64: Float64Array, w: number, key: Key): number {
    const src = this.#ctx.segments;
    const domain = t.key < 0 ? -1 : t.columns[t.key]!.domain;
    if (domain >= 0) {
      if (typeof key !== 'string') return -1;
      const dw = domainEntry(this.#ctx.layout, this.#rootOff, domain);
      return locateString(src, f64, dw, key, f64[w + T_LOC_SEG]!, f64[w + T_LOC_OFF]!);
    }
    const code = keyCode(t, key, noStringKeys);
    return code < 0 ? -1 : locateKey(src, f64[w + T_LOC_SEG]!, f64[w + T_LOC_OFF]!, code);
  }

  #read(
    t: TableLayout,
    f64: Float64Array,
    w: number,
    pos: number,
    columns: readonly string[] | undefined,
    knownColumn: number,
    known: Key | null,
  ): Row {
    const src = this.#ctx.segments;
    const gRef = groupAt(src, f64[w + T_DIR_SEG]!, f64[w + T_DIR_OFF]!, pos >>> t.groupShift);
    return readRow(
      src,
      segOf(gRef),
      offOf(gRef),
      pos & t.groupMask,
      rowShape(t, columns),
      this.#strings(),
      knownColumn,
      known,
    );
  }
}
