import { StateError } from '../errors.js';
import type { SegmentTable, SegmentViews } from './segments.js';
import { sizeClassOf, sizeOfClass } from './size-class.js';

/** Byte pattern written over freed blocks in debug mode: 0xDB in every byte. */
export const POISON_BYTE = 0xdb;

/** Options of the arena. */
export interface ArenaOptions {
  /** Bytes of each ordinary segment (a multiple of 64). Larger blocks get a segment of their own. */
  segmentBytes: number;
  /** Ceiling on the bytes of all segments together. */
  maxBytes: number;
  /** Fill freed blocks with {@link POISON_BYTE} so that reads through a stale view are evident. */
  poison: boolean;
}

/** Counters of the arena, in bytes. */
export interface ArenaStats {
  /** Bytes of all segments together: what the store takes from the system. */
  arenaBytes: number;
  /** Number of segments. */
  segments: number;
  /** Bytes of blocks currently handed out (live or awaiting reclamation). */
  usedBytes: number;
  /** Bytes of segments not handed out (`arenaBytes - usedBytes`): freed blocks and untouched space. */
  freeBytes: number;
}

/** A packed reference is `segment * SEGMENT_SPAN + offset`. */
const SEGMENT_SPAN = 0x1_0000_0000;
/** Blocks and free extents start and end on 64-byte granules (every size class is a multiple). */
const GRANULE = 64;
const GRANULE_SHIFT = 6;
/** Tag bits: the granule is the first / the last of a free extent; the extent's granules are `tag >>> 2`. */
const START = 1;
const END = 2;
/** Size classes of sizes up to 2^53 stay below 8 * 32 = 256 (class of 2^53 is 187). */
const BIN_WORDS = 8;
/** Slack of stale free-list entries before the free lists are rebuilt. */
const STALE_SLACK = 1024;

/**
 * The writer's allocator. Its state lives only in the writer thread: no other thread allocates, so
 * it needs no synchronisation, and none of it is in the shared segments, which readers read.
 *
 * Blocks are addressed by (segment, byte offset) and sized by size class. A freed block first goes
 * on its class's quick list, and the next request of that class takes it back at the cost of an
 * array pop: a write mostly frees and allocates blocks of the sizes the writes before it did. A
 * request that its quick list cannot serve takes a listed free extent, or else bumps in the current
 * segment; only when neither can serve it are the quick lists emptied into the free extents
 * (merging is deferred, as in dlmalloc's fastbins), and the arena grows only after that and a
 * reclamation scan. Emptying the quick lists whenever one class missed would push the common
 * sizes of a write off their quick lists and onto the slower free extents.
 *
 * Free extents are runs of 64-byte granules of any length. A block released into them merges at
 * once with the free extents on either side, so memory freed in small pieces serves large requests
 * again, and an extent that ends at the current segment's bump pointer goes back to it. Each
 * segment has a boundary-tag table in the writer's heap, one Int32 per granule (1/16 of the
 * segment's bytes): the first and last granule of every free extent hold its length and a START /
 * END bit, every other granule holds 0, so a release finds its neighbours in O(1).
 *
 * Free extents are listed by size class (the largest class that fits in them), newest first; a
 * request takes the smallest listed extent class that fits (a bitmap finds it) and gives the rest
 * back. Lists are not unlinked when an extent merges or is taken: the tag table says whether an
 * entry still names a free extent that is large enough, and stale entries are dropped as they are
 * met, or all at once when they outnumber the live ones.
 */
export class Arena {
  readonly #segments: SegmentTable;
  readonly #options: ArenaOptions;
  readonly #announce: (index: number, sab: SharedArrayBuffer) => void;
  /** Per size class, freed blocks not yet released into the free extents. */
  readonly #quick: number[][] = Array.from({ length: BIN_WORDS * 32 }, () => []);
  /** Bit `c` is set when quick list `c` may hold a block. */
  readonly #quickMask = new Uint32Array(BIN_WORDS);
  /** Boundary tags per segment: see the class comment. */
  readonly #tags: Int32Array[] = [];
  /** Per size class, packed references to free extents of at least that class's size (some stale). */
  readonly #bins: number[][] = Array.from({ length: BIN_WORDS * 32 }, () => []);
  /** Bit `c` is set when bin `c` may hold an entry. */
  readonly #nonEmpty = new Uint32Array(BIN_WORDS);
  /** Entries in all bins, stale ones included. */
  #entries = 0;
  /** Free extents (not counting the space past the bump pointer). */
  #extents = 0;
  #bumpSeg = -1;
  #bumpOff = 0;
  #bumpEnd = 0;
  #arenaBytes = 0;
  #usedBytes = 0;
  /** Called when the arena is full, to free retired blocks; returns whether anything was freed. */
  onPressure: () => boolean = () => false;
  /** Describes the oldest pin, for the message of a full-arena error. */
  describePins: () => string = () => 'no version is pinned';

  constructor(
    segments: SegmentTable,
    options: ArenaOptions,
    announce: (index: number, sab: SharedArrayBuffer) => void,
  ) {
    this.#segments = segments;
    this.#options = options;
    this.#announce = announce;
  }

  /** Whether freed blocks are poisoned. */
  get poison(): boolean {
    return this.#options.poison;
  }

  /**
   * Allocates a block of at least `bytes` bytes and returns its packed reference
   * (`segment * 2^32 + offset`). The block's contents are unspecified.
   */
  alloc(bytes: number): number {
    const cls = sizeClassOf(bytes);
    const size = sizeOfClass(cls);
    const quick = this.#quick[cls]!;
    if (quick.length > 0) {
      this.#usedBytes += size;
      return quick.pop()!;
    }
    return this.#allocSlow(cls, size);
  }

  /** Allocation when the quick list of the class is empty: kept apart so that `alloc` stays small. */
  #allocSlow(cls: number, size: number): number {
    let ref = this.#fit(cls, size);
    if (ref >= 0) return ref;
    if (this.#bumpOff + size <= this.#bumpEnd) return this.#bump(size);
    ref = this.#reuse(cls, size);
    if (ref >= 0) return ref;
    // Reclaiming before growing keeps the arena from taking a new segment while retired blocks
    // only wait for a scan.
    if (this.onPressure()) {
      const quick = this.#quick[cls]!;
      if (quick.length > 0) {
        this.#usedBytes += size;
        return quick.pop()!;
      }
      ref = this.#reuse(cls, size);
      if (ref >= 0) return ref;
    }
    if (size > this.#options.segmentBytes) {
      // An oversized block gets a segment of its own; bumping goes on in the current segment.
      const seg = this.#newSegment(size);
      this.#usedBytes += size;
      return seg * SEGMENT_SPAN;
    }
    const seg = this.#newSegment(this.#options.segmentBytes);
    if (this.#bumpOff < this.#bumpEnd) {
      // The rest of the old segment becomes a free extent. Its left neighbour is not free: an
      // extent that ends at the bump pointer is always given back to it.
      const off = this.#bumpOff;
      const tags = this.#tags[this.#bumpSeg]!;
      const granules = (this.#bumpEnd - off) / GRANULE;
      this.#insert(tags, this.#bumpSeg * SEGMENT_SPAN + off, off >>> GRANULE_SHIFT, granules, -1);
    }
    this.#bumpSeg = seg;
    this.#bumpOff = 0;
    this.#bumpEnd = this.#options.segmentBytes;
    return this.#bump(size);
  }

  /**
   * Frees a block of `bytes` bytes (the size it was allocated with). It is merged with the free
   * space on either side when the quick lists are next emptied.
   */
  free(ref: number, bytes: number): void {
    const cls = sizeClassOf(bytes);
    const size = sizeOfClass(cls);
    if (this.#options.poison) {
      const seg = Math.floor(ref / SEGMENT_SPAN);
      const off = ref - seg * SEGMENT_SPAN;
      this.#segments.get(seg).u8.fill(POISON_BYTE, off, off + size);
    }
    this.#usedBytes -= size;
    this.#quick[cls]!.push(ref);
    this.#quickMask[cls >>> 5]! |= 1 << (cls & 31);
  }

  /** The views of segment `seg`. */
  get(seg: number): SegmentViews {
    return this.#segments.get(seg);
  }

  stats(): ArenaStats {
    return {
      arenaBytes: this.#arenaBytes,
      segments: this.#segments.length,
      usedBytes: this.#usedBytes,
      freeBytes: this.#arenaBytes - this.#usedBytes,
    };
  }

  /**
   * Empties the quick lists into the free extents, then takes a block of class `cls` from them or
   * from the bump pointer (which merging may have moved back); -1 if neither holds one.
   */
  #reuse(cls: number, size: number): number {
    if (!this.#consolidate()) return -1;
    const ref = this.#fit(cls, size);
    if (ref >= 0) return ref;
    return this.#bumpOff + size <= this.#bumpEnd ? this.#bump(size) : -1;
  }

  /** Releases every block on the quick lists into the free extents; returns whether there was any. */
  #consolidate(): boolean {
    let any = false;
    for (let w = 0; w < BIN_WORDS; w++) {
      let bits = this.#quickMask[w]!;
      this.#quickMask[w] = 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const cls = (w << 5) + 31 - Math.clz32(low);
        const list = this.#quick[cls]!;
        const size = sizeOfClass(cls);
        for (let i = 0; i < list.length; i++) this.#release(list[i]!, size, cls);
        any ||= list.length > 0;
        list.length = 0;
      }
    }
    return any;
  }

  /** Makes the free block at `ref` of class `cls` (`size` bytes) a free extent, merged with its neighbours. */
  #release(ref: number, size: number, cls: number): void {
    const seg = Math.floor(ref / SEGMENT_SPAN);
    const off = ref - seg * SEGMENT_SPAN;
    const tags = this.#tags[seg]!;
    let g = off >>> GRANULE_SHIFT;
    let n = size / GRANULE;
    let bin = cls;
    if (g > 0) {
      const t = tags[g - 1]!;
      if ((t & END) !== 0) {
        // The extent on the left takes the block in; its end tag is now inside.
        tags[g - 1] = 0;
        const left = t >>> 2;
        g -= left;
        n += left;
        this.#extents--;
        bin = -1;
      }
    }
    const end = g + n;
    if (seg === this.#bumpSeg && end * GRANULE === this.#bumpOff) {
      tags[g] = 0;
      this.#bumpOff = g * GRANULE;
      return;
    }
    if (end < tags.length) {
      const t = tags[end]!;
      if ((t & START) !== 0) {
        // The extent on the right joins; its end tag is rewritten below.
        tags[end] = 0;
        n += t >>> 2;
        this.#extents--;
        bin = -1;
      }
    }
    this.#insert(tags, seg * SEGMENT_SPAN + g * GRANULE, g, n, bin);
  }

  /** Takes a block of class `cls` from the smallest listed free extent that holds it, or returns -1. */
  #fit(cls: number, size: number): number {
    const need = size / GRANULE;
    for (let b = this.#nextBin(cls); b >= 0; b = this.#nextBin(b + 1)) {
      const bin = this.#bins[b]!;
      while (bin.length > 0) {
        const ref = bin.pop()!;
        this.#entries--;
        const seg = Math.floor(ref / SEGMENT_SPAN);
        const tags = this.#tags[seg]!;
        const g = (ref - seg * SEGMENT_SPAN) >>> GRANULE_SHIFT;
        const t = tags[g]!;
        // A stale entry names a granule that is no longer the start of a free extent, or the start
        // of a smaller one listed again in its own class.
        if ((t & START) === 0 || t >>> 2 < need) continue;
        if (bin.length === 0) this.#nonEmpty[b >>> 5]! &= ~(1 << (b & 31));
        const n = t >>> 2;
        this.#extents--;
        this.#usedBytes += size;
        tags[g] = 0;
        if (n === need) tags[g + n - 1] = 0;
        else this.#insert(tags, ref + size, g + need, n - need, -1);
        return ref;
      }
      this.#nonEmpty[b >>> 5]! &= ~(1 << (b & 31));
    }
    return -1;
  }

  /** The first bin at or above `from` whose bit is set, or -1. */
  #nextBin(from: number): number {
    let w = from >>> 5;
    if (w >= BIN_WORDS) return -1;
    let bits = this.#nonEmpty[w]! & (-1 << (from & 31));
    while (bits === 0) {
      if (++w === BIN_WORDS) return -1;
      bits = this.#nonEmpty[w]!;
    }
    return (w << 5) + 31 - Math.clz32(bits & -bits);
  }

  /**
   * Records the free extent of `n` granules at granule `g` (packed reference `ref`) in its tags and
   * lists it in `bin`, or in the largest class that fits it when `bin` is -1.
   */
  #insert(tags: Int32Array, ref: number, g: number, n: number, bin: number): void {
    // n < 2^29 (a 32 GiB extent) keeps the tag an int32.
    const tag = n * 4;
    if (n === 1) tags[g] = tag | START | END;
    else {
      tags[g] = tag | START;
      tags[g + n - 1] = tag | END;
    }
    this.#extents++;
    this.#list(ref, bin < 0 ? this.#binOf(n * GRANULE) : bin);
    if (this.#entries > 2 * this.#extents + STALE_SLACK) this.#rebuild();
  }

  #list(ref: number, bin: number): void {
    this.#bins[bin]!.push(ref);
    this.#nonEmpty[bin >>> 5]! |= 1 << (bin & 31);
    this.#entries++;
  }

  /** The largest size class whose blocks fit in `bytes`. */
  #binOf(bytes: number): number {
    const cls = sizeClassOf(bytes);
    return sizeOfClass(cls) > bytes ? cls - 1 : cls;
  }

  /** Lists every free extent once, in its own class, dropping stale entries. */
  #rebuild(): void {
    const live = new Set<number>();
    for (const bin of this.#bins) {
      for (const ref of bin) {
        const seg = Math.floor(ref / SEGMENT_SPAN);
        if ((this.#tags[seg]![(ref - seg * SEGMENT_SPAN) >>> GRANULE_SHIFT]! & START) !== 0) live.add(ref);
      }
      bin.length = 0;
    }
    this.#nonEmpty.fill(0);
    this.#entries = 0;
    for (const ref of live) {
      const seg = Math.floor(ref / SEGMENT_SPAN);
      const n = this.#tags[seg]![(ref - seg * SEGMENT_SPAN) >>> GRANULE_SHIFT]! >>> 2;
      this.#list(ref, this.#binOf(n * GRANULE));
    }
  }

  #bump(size: number): number {
    const ref = this.#bumpSeg * SEGMENT_SPAN + this.#bumpOff;
    this.#bumpOff += size;
    this.#usedBytes += size;
    return ref;
  }

  #newSegment(segBytes: number): number {
    if (this.#arenaBytes + segBytes > this.#options.maxBytes) {
      throw new StateError(
        'ARENA_FULL',
        `the arena is full: ${this.#arenaBytes} of ${this.#options.maxBytes} bytes are in segments, ` +
          `${this.#usedBytes} in use, and ${segBytes} more are needed; ${this.describePins()}`,
      );
    }
    const sab = new SharedArrayBuffer(segBytes);
    const index = this.#segments.length;
    this.#segments.add(index, sab);
    this.#tags[index] = new Int32Array(segBytes / GRANULE);
    // Announce before any version can point into the segment: see SegmentTable.
    this.#announce(index, sab);
    this.#arenaBytes += segBytes;
    return index;
  }
}
