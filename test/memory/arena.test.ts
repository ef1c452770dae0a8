/**
 * The writer's allocator on its own: freed blocks merge with free neighbours (on either side, and
 * into the bump pointer), a merged extent serves a request larger than any of its pieces, the rest
 * of a segment is not lost when the next one is taken, and under random churn no two live blocks
 * overlap, the counters stay exact and freeing everything gives back whole segments.
 */
import { describe, expect, it } from 'vitest';
import { Arena, POISON_BYTE } from '../../src/memory/arena.js';
import { SegmentTable } from '../../src/memory/segments.js';
import { blockSize } from '../../src/memory/size-class.js';

const SPAN = 2 ** 32;

function arena(segmentBytes: number, poison = false, maxBytes = 2 ** 30): Arena {
  return new Arena(new SegmentTable(null), { segmentBytes, maxBytes, poison }, () => {});
}

/** mulberry32. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('the arena', () => {
  it('merges a freed block with free neighbours, so the merged extent serves a larger request', () => {
    // Five blocks fill the segment, so that requests cannot bump past them.
    const a = arena(5 * 1024);
    const [b0, b1, b2, b3] = [a.alloc(1024), a.alloc(1024), a.alloc(1024), a.alloc(1024)];
    expect([b1! - b0!, b2! - b1!, b3! - b2!]).toEqual([1024, 1024, 1024]);
    a.alloc(1024);
    const arenaBytes = a.stats().arenaBytes;
    // Right neighbour free, then left neighbour free: b1 joins both sides.
    a.free(b2!, 1024);
    a.free(b0!, 1024);
    a.free(b1!, 1024);
    expect(a.stats().usedBytes).toBe(2 * 1024);
    // Three 1 KiB pieces hold a 3 KiB block at the first one's place, where no piece alone could.
    expect(a.alloc(3 * 1024)).toBe(b0);
    // With b3 freed too, the extent (now just b3) serves a request of its size, then nothing is left.
    a.free(b3!, 1024);
    expect(a.alloc(1024)).toBe(b3);
    expect(a.stats().arenaBytes).toBe(arenaBytes);
  });

  it('gives a block that ends at the bump pointer back to it, with the free extent before it', () => {
    const a = arena(64 * 1024);
    const first = a.alloc(4096);
    const second = a.alloc(4096);
    const third = a.alloc(4096);
    a.free(second, 4096);
    a.free(third, 4096);
    // second and third went back to the bump pointer: a block larger than both starts at second.
    expect(a.alloc(56 * 1024)).toBe(second);
    expect(a.stats().segments).toBe(1);
    a.free(first, 4096);
    expect(a.stats().usedBytes).toBe(56 * 1024);
  });

  it('keeps the rest of a segment as a free extent when it takes the next one', () => {
    const a = arena(4096);
    const head = a.alloc(3072);
    const next = a.alloc(2048); // does not fit the 1 KiB left: a new segment
    expect(Math.floor(next / SPAN)).toBe(1);
    expect(a.alloc(1024)).toBe(head + 3072);
    expect(a.stats().segments).toBe(2);
  });

  it('serves any size from a freed oversized segment and merges it back whole', () => {
    const a = arena(4096);
    a.alloc(64);
    const big = a.alloc(16 * 1024);
    expect(big).toBe(SPAN);
    a.free(big, 16 * 1024);
    const pieces = [a.alloc(8 * 1024), a.alloc(4096), a.alloc(4096)];
    expect(pieces.map((r) => Math.floor(r / SPAN))).toEqual([1, 1, 1]);
    for (const [i, r] of pieces.entries()) a.free(r, i === 0 ? 8 * 1024 : 4096);
    expect(a.alloc(16 * 1024)).toBe(big);
    expect(a.stats().segments).toBe(2);
  });

  it('poisons every freed byte in debug mode, also when the block merges', () => {
    const a = arena(64 * 1024, true);
    const x = a.alloc(1000);
    const y = a.alloc(1000);
    a.alloc(64);
    const u8 = a.get(0).u8;
    u8.fill(7, x, y + 1024);
    a.free(y, 1000);
    a.free(x, 1000);
    expect(u8.subarray(x, y + 1024).every((b) => b === POISON_BYTE)).toBe(true);
  });

  it('still fails with ARENA_FULL when no free extent is large enough', () => {
    const a = arena(4096, false, 8192);
    const blocks = Array.from({ length: 8 }, () => a.alloc(1024));
    // Every other block freed: 4 KiB are free, but in 1 KiB pieces.
    for (let i = 0; i < 8; i += 2) a.free(blocks[i]!, 1024);
    expect(() => a.alloc(2048)).toThrow(expect.objectContaining({ code: 'ARENA_FULL' }));
    a.free(blocks[1]!, 1024);
    expect(a.alloc(3072)).toBe(blocks[0]);
  });

  it('drops the list entries that merges leave stale, and never hands out their granules', () => {
    const n = 4096;
    // The blocks and one more fill the segment; the last keeps them from the bump pointer.
    const a = arena((n + 1) * 64);
    const blocks = Array.from({ length: n }, () => a.alloc(64));
    a.alloc(64);
    for (let i = 1; i < n; i += 2) a.free(blocks[i]!, 64);
    // Each of these merges with both neighbours: the lists name thousands of granules that are
    // inside one extent now (and are rebuilt once those outnumber the extents).
    for (let i = 0; i < n; i += 2) a.free(blocks[i]!, 64);
    expect(a.alloc(n * 64)).toBe(blocks[0]);
    a.free(blocks[0]!, n * 64);
    const again = Array.from({ length: n }, () => a.alloc(64));
    expect(new Set(again).size).toBe(n);
    expect(again.every((r) => r >= blocks[0]! && r < blocks[0]! + n * 64)).toBe(true);
    expect(a.stats().arenaBytes).toBe((n + 1) * 64);
  });

  for (const seed of [1, 2, 3]) {
    it(`keeps live blocks apart and its counters exact under random churn (seed ${seed})`, () => {
      const segmentBytes = 256 * 1024;
      const a = arena(segmentBytes);
      const next = rng(seed);
      // Sizes from 1 byte to twice a segment (oversized blocks get segments of their own).
      const size = () => Math.ceil(2 ** (next() * 19));
      const live = new Map<number, { bytes: number; tag: number }>();
      let used = 0;
      for (let step = 0; step < 20_000; step++) {
        if (live.size > 0 && (live.size > 300 || next() < 0.5)) {
          const refs = [...live.keys()];
          const ref = refs[Math.floor(next() * refs.length)]!;
          const { bytes, tag } = live.get(ref)!;
          // The block still holds what was written into it: no other block overlapped it.
          const u8 = a.get(Math.floor(ref / SPAN)).u8;
          const off = ref % SPAN;
          expect(u8[off], `block at ${ref}`).toBe(tag);
          expect(u8[off + bytes - 1], `block at ${ref}`).toBe(tag);
          a.free(ref, bytes);
          live.delete(ref);
          used -= blockSize(bytes);
        } else {
          const bytes = size();
          const ref = a.alloc(bytes);
          expect(live.has(ref)).toBe(false);
          const tag = step & 0xff;
          const off = ref % SPAN;
          const u8 = a.get(Math.floor(ref / SPAN)).u8;
          expect(off + blockSize(bytes)).toBeLessThanOrEqual(u8.length);
          u8[off] = tag;
          u8[off + bytes - 1] = tag;
          live.set(ref, { bytes, tag });
          used += blockSize(bytes);
        }
        const s = a.stats();
        expect(s.usedBytes).toBe(used);
        expect(s.freeBytes).toBe(s.arenaBytes - used);
      }
      // Live blocks never overlap.
      const spans = [...live].map(([ref, { bytes }]) => [ref, ref + blockSize(bytes)] as const);
      spans.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      // Freed all, the pieces merge back: the arena serves a block of a whole segment for each of
      // its ordinary segments without growing.
      for (const [ref, { bytes }] of live) a.free(ref, bytes);
      const { arenaBytes, segments } = a.stats();
      expect(a.stats().usedBytes).toBe(0);
      let whole = 0;
      for (let seg = 0; seg < segments; seg++) {
        if (a.get(seg).u8.length !== segmentBytes) continue;
        a.alloc(segmentBytes);
        whole++;
      }
      expect(whole).toBeGreaterThan(0);
      expect(a.stats().arenaBytes).toBe(arenaBytes);
    });
  }
});
