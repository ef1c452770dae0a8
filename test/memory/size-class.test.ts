import { describe, expect, it } from 'vitest';
import { blockSize, sizeClassOf, sizeOfClass } from '../../src/memory/size-class.js';

describe('size classes', () => {
  it('give every request a 64-byte multiple that fits it, wasting at most a quarter above 1 KiB', () => {
    for (let bytes = 1; bytes <= 1 << 22; bytes += bytes < 4096 ? 1 : 997) {
      const size = blockSize(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size % 64).toBe(0);
      if (bytes > 1024) expect(size).toBeLessThanOrEqual(bytes * 1.25 + 64);
    }
  });

  it('agree on both sides of 1 GiB, where the integer arithmetic hands over to floating point', () => {
    for (let bytes = 2 ** 29; bytes <= 2 ** 32; bytes += 2 ** 23 + 4097) {
      const size = blockSize(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size).toBeLessThanOrEqual(bytes * 1.25 + 64);
      expect(blockSize(size)).toBe(size);
      expect(sizeClassOf(size + 1)).toBe(sizeClassOf(size) + 1);
    }
  });

  it('are ordered and each maps back to itself', () => {
    let last = 0;
    for (let cls = 0; cls < 120; cls++) {
      const size = sizeOfClass(cls);
      expect(size).toBeGreaterThan(last);
      expect(sizeClassOf(size)).toBe(cls);
      expect(sizeClassOf(last + 1)).toBe(cls);
      last = size;
    }
  });
});
