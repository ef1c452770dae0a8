import { describe, expect, it } from 'vitest';
import { BytePool } from '../../src/runtime/byte-pool.js';

describe('BytePool', () => {
  it('gives copies that later copies and changes to the source leave alone', () => {
    const pool = new BytePool();
    const src = new Uint8Array(1000);
    const copies: [number, Uint8Array][] = [];
    // Enough to fill several pooled buffers, with sizes around the pooled limit.
    for (let i = 0; i < 400; i++) {
      const n = [0, 1, 7, 300, 4096, 4097, 999][i % 7]!;
      const bytes = n <= src.length ? src.subarray(0, n) : new Uint8Array(n);
      bytes.fill(i & 255);
      copies.push([i, pool.copy(bytes)]);
      src.fill(0);
    }
    for (const [i, copy] of copies) {
      expect(copy.length).toBe([0, 1, 7, 300, 4096, 4097, 999][i % 7]);
      expect(copy.every((b) => b === (i & 255))).toBe(true);
    }
    // Past the pooled limit, a buffer of its own.
    expect(copies[5]![1].byteLength).toBe(copies[5]![1].buffer.byteLength);
  });
});
