/**
 * The arena's counters account for every byte: a block is in use, on a free list, or not handed
 * out yet. Reusing a freed block (the one at segment 0, offset 0 included), carving a small block
 * out of a larger free one, and an oversized block with a segment of its own each move bytes
 * between the counters exactly.
 */
import { describe, expect, it } from 'vitest';
import type { StateError } from '../../src/errors.js';
import { Arena } from '../../src/memory/arena.js';
import { SegmentTable } from '../../src/memory/segments.js';

function arena(segmentBytes: number, maxBytes: number): Arena {
  return new Arena(new SegmentTable(null), { segmentBytes, maxBytes, poison: false }, () => {});
}

describe('arena accounting', () => {
  it('reuses a freed block, the first one of the first segment too', () => {
    const a = arena(8192, 8192);
    const first = a.alloc(64);
    expect(first).toBe(0);
    a.free(first, 64);
    expect(a.stats()).toMatchObject({ usedBytes: 0, freeBytes: 64 });
    expect(a.alloc(64)).toBe(0);
    expect(a.stats()).toMatchObject({ usedBytes: 64, freeBytes: 0, segments: 1 });
  });

  it('carves a small block out of a larger free one and keeps the rest free', () => {
    const a = arena(8192, 8192);
    const x = a.alloc(4096);
    a.alloc(4096); // the segment is now full: the next block must come from a free list
    a.free(x, 4096);
    expect(a.stats()).toMatchObject({ usedBytes: 4096, freeBytes: 4096 });
    expect(a.alloc(100)).toBe(x);
    expect(a.stats()).toMatchObject({ usedBytes: 4096 + 128, freeBytes: 4096 - 128, arenaBytes: 8192 });
    // The 3,968 bytes left are pieces of the largest classes that fit: 3,584 then 384.
    expect(a.alloc(384)).toBe(x + 128 + 3584);
    expect(a.alloc(3584)).toBe(x + 128);
    expect(a.stats()).toMatchObject({ usedBytes: 8192, freeBytes: 0, arenaBytes: 8192, segments: 1 });
  });

  it('frees retired blocks under pressure before it grows, and takes the first block back', () => {
    const a = arena(8192, 8192);
    const x = a.alloc(4096);
    a.alloc(4096);
    a.onPressure = () => {
      a.free(x, 4096);
      return true;
    };
    expect(a.alloc(4096)).toBe(x);
    expect(a.stats()).toMatchObject({ usedBytes: 8192, freeBytes: 0, segments: 1 });
  });

  it('opens a new shared segment for a small block, and a segment of its own for a larger one', () => {
    const a = arena(4096, 1 << 20);
    a.alloc(4096);
    // A small block after the first segment filled: a new segment, which the next block shares.
    const small = a.alloc(64);
    a.alloc(64);
    expect(a.stats()).toMatchObject({ segments: 2, arenaBytes: 8192, usedBytes: 4096 + 128 });
    const big = a.alloc(3 * 4096);
    expect(big % 0x1_0000_0000).toBe(0);
    expect(a.stats()).toMatchObject({
      segments: 3,
      arenaBytes: 8192 + 3 * 4096,
      usedBytes: 4096 + 128 + 3 * 4096,
    });
    // Bumping goes on in the shared segment.
    expect(a.alloc(64)).toBe(small + 128);
  });

  it('refuses to grow past maxBytes with ARENA_FULL', () => {
    const a = arena(4096, 4096);
    a.alloc(4096);
    let error: StateError | null = null;
    try {
      a.alloc(64);
    } catch (err) {
      error = err as StateError;
    }
    expect(error?.code).toBe('ARENA_FULL');
    expect(a.stats()).toMatchObject({ segments: 1, usedBytes: 4096 });
  });
});
