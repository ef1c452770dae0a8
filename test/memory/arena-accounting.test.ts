/**
 * The arena's counters account for every byte: taking a freed block back under pressure, and a
 * new shared segment or an oversized block with a segment of its own, each move bytes between the
 * counters exactly. (Reuse and carving of freed blocks, which coalesce, are in arena.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { StateError } from '../../src/errors.js';
import { Arena } from '../../src/memory/arena.js';
import { SegmentTable } from '../../src/memory/segments.js';

function arena(segmentBytes: number, maxBytes: number): Arena {
  return new Arena(new SegmentTable(null), { segmentBytes, maxBytes, poison: false }, () => {});
}

describe('arena accounting', () => {
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
