/**
 * Debug mode fills a freed block with the poison byte, whatever segment it lies in, and nothing
 * around it; without debug mode a free writes nothing (it costs no time).
 */
import { describe, expect, it } from 'vitest';
import { Arena, POISON_BYTE } from '../../src/memory/arena.js';
import { SegmentTable } from '../../src/memory/segments.js';

const SEGMENT = 4096;

function arena(poison: boolean): Arena {
  return new Arena(
    new SegmentTable(null),
    { segmentBytes: SEGMENT, maxBytes: 4 * SEGMENT, poison },
    () => {},
  );
}

/** Allocates two neighbouring 256-byte blocks in the second segment, filled with 7s. */
function twoBlocksInSecondSegment(a: Arena): [number, number] {
  a.alloc(SEGMENT);
  const x = a.alloc(256);
  const y = a.alloc(256);
  const seg = Math.floor(x / 0x1_0000_0000);
  expect(seg).toBe(1);
  a.get(seg).u8.fill(7, x - seg * 0x1_0000_0000, y - seg * 0x1_0000_0000 + 256);
  return [x, y];
}

describe('freed memory', () => {
  it('is poisoned in debug mode, in any segment, and only the freed block', () => {
    const a = arena(true);
    const [x, y] = twoBlocksInSecondSegment(a);
    a.free(x, 256);
    const u8 = a.get(1).u8;
    const off = x - 0x1_0000_0000;
    expect(u8.subarray(off, off + 256).every((b) => b === POISON_BYTE)).toBe(true);
    expect(u8.subarray(y - 0x1_0000_0000, y - 0x1_0000_0000 + 256).every((b) => b === 7)).toBe(true);
  });

  it('is left as it was without debug mode', () => {
    const a = arena(false);
    const [x] = twoBlocksInSecondSegment(a);
    a.free(x, 256);
    const off = x - 0x1_0000_0000;
    expect(
      a
        .get(1)
        .u8.subarray(off, off + 256)
        .every((b) => b === 7),
    ).toBe(true);
  });
});
