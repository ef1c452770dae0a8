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
  /** Bytes of freed blocks waiting on free lists for reuse. */
  freeBytes: number;
}

/**
 * The writer's allocator. Its state (bump pointer, free lists) lives only in the writer thread: no
 * other thread allocates, so it needs no synchronisation. Blocks are addressed by (segment, byte
 * offset); freed blocks go to the free list of their size class and are reused first.
 */
export class Arena {
  readonly #segments: SegmentTable;
  readonly #options: ArenaOptions;
  readonly #announce: (index: number, sab: SharedArrayBuffer) => void;
  readonly #free: number[][] = [];
  #bumpSeg = -1;
  #bumpOff = 0;
  #bumpEnd = 0;
  #arenaBytes = 0;
  #usedBytes = 0;
  #freeBytes = 0;
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
    let ref = this.#popFree(cls, size);
    if (ref >= 0) return ref;
    if (this.#bumpOff + size <= this.#bumpEnd) return this.#bump(size);
    // Reclaiming before growing keeps the arena from taking a new segment while retired blocks
    // only wait for a scan.
    if (this.onPressure()) {
      ref = this.#popFree(cls, size);
      if (ref >= 0) return ref;
    }
    ref = this.#split(cls, size);
    if (ref >= 0) return ref;
    if (size > this.#options.segmentBytes) {
      // An oversized block gets a segment of its own; bumping goes on in the current segment.
      const seg = this.#newSegment(size);
      this.#usedBytes += size;
      return seg * 0x1_0000_0000;
    }
    this.#bumpSeg = this.#newSegment(this.#options.segmentBytes);
    this.#bumpOff = 0;
    this.#bumpEnd = this.#options.segmentBytes;
    return this.#bump(size);
  }

  /** Returns a block of `bytes` bytes (the size it was allocated with) to its free list. */
  free(ref: number, bytes: number): void {
    const cls = sizeClassOf(bytes);
    const size = sizeOfClass(cls);
    if (this.#options.poison) {
      const seg = Math.floor(ref / 0x1_0000_0000);
      const off = ref - seg * 0x1_0000_0000;
      this.#segments.get(seg).u8.fill(POISON_BYTE, off, off + size);
    }
    this.#push(cls, ref);
    this.#usedBytes -= size;
    this.#freeBytes += size;
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
      freeBytes: this.#freeBytes,
    };
  }

  #popFree(cls: number, size: number): number {
    const list = this.#free[cls];
    if (list === undefined || list.length === 0) return -1;
    this.#freeBytes -= size;
    this.#usedBytes += size;
    return list.pop()!;
  }

  /**
   * Carves a block of class `cls` out of the smallest larger free block, returning the rest to the
   * free lists as blocks of the largest classes that fit, so memory freed in one size class can
   * serve another before the arena grows. (There is no coalescing: pieces stay pieces.)
   */
  #split(cls: number, size: number): number {
    for (let c = cls + 1; c < this.#free.length; c++) {
      const list = this.#free[c];
      if (list === undefined || list.length === 0) continue;
      const ref = list.pop()!;
      const big = sizeOfClass(c);
      this.#freeBytes -= big;
      this.#usedBytes += size;
      let at = ref + size;
      let rest = big - size;
      while (rest > 0) {
        let piece = sizeClassOf(rest);
        if (sizeOfClass(piece) > rest) piece--;
        const bytes = sizeOfClass(piece);
        this.#push(piece, at);
        this.#freeBytes += bytes;
        at += bytes;
        rest -= bytes;
      }
      return ref;
    }
    return -1;
  }

  #push(cls: number, ref: number): void {
    let list = this.#free[cls];
    if (list === undefined) {
      list = [];
      this.#free[cls] = list;
    }
    list.push(ref);
  }

  #bump(size: number): number {
    const ref = this.#bumpSeg * 0x1_0000_0000 + this.#bumpOff;
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
    // Announce before any version can point into the segment: see SegmentTable.
    this.#announce(index, sab);
    this.#arenaBytes += segBytes;
    return index;
  }
}
