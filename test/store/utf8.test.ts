import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentViews } from '../../src/memory/segments.js';
import {
  equalsKey,
  equalsUtf8,
  hashBytes,
  hashKey,
  hashString,
  KeyBytes,
  readUtf8,
  utf8Length,
  writeUtf8,
} from '../../src/store/utf8.js';

describe('UTF-8 helpers on shared memory', () => {
  it('hash, compare, measure and round-trip any string as TextEncoder encodes it', () => {
    const views = segmentViews(new SharedArrayBuffer(4096));
    const u8 = views.u8;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 20 }), (s, other) => {
        const bytes = new TextEncoder().encode(s);
        expect(utf8Length(s)).toBe(bytes.length);
        expect(writeUtf8(s, u8, 10, bytes.length)).toBe(bytes.length);
        expect(u8.subarray(10, 10 + bytes.length)).toEqual(bytes);
        expect(hashString(s)).toBe(hashBytes(u8, 10, 10 + bytes.length));
        expect(equalsUtf8(s, u8, 10, 10 + bytes.length)).toBe(true);
        expect(readUtf8(views, 10, 10 + bytes.length)).toBe(new TextDecoder().decode(bytes));
        const o = new TextEncoder().encode(other);
        const same = o.length === bytes.length && o.every((b, i) => b === bytes[i]);
        expect(equalsUtf8(other, u8, 10, 10 + bytes.length)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it('store lone surrogates as U+FFFD, as TextEncoder does, and compare them so', () => {
    const views = segmentViews(new SharedArrayBuffer(64));
    for (const s of ['\ud800', 'a\udc00b', '\udbff\udbff', 'x\ud83d']) {
      const n = utf8Length(s);
      writeUtf8(s, views.u8, 0, n);
      const back = readUtf8(views, 0, n);
      expect(back).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
      expect(equalsUtf8(s, views.u8, 0, n)).toBe(true);
      expect(hashString(s)).toBe(hashString(back));
    }
  });

  it('hash as MurmurHash3 x86 32-bit with seed 0, the published test vectors', () => {
    expect(hashString('')).toBe(0);
    expect(hashString('hello')).toBe(0x248bfa47);
    expect(hashString('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('compare a hashed key with stored bytes four at a time exactly as byte by byte, at any offset', () => {
    const views = segmentViews(new SharedArrayBuffer(4096));
    const key = new KeyBytes();
    // ASCII-heavy strings (the fast path), some longer than the key's first word buffer.
    const ascii = fc.string({ unit: fc.constantFrom('a', 'b', '-', '0', '\u007f', '\u0000'), maxLength: 90 });
    const any = fc.oneof(ascii, fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(any, any, fc.integer({ min: 0, max: 7 }), (stored, probe, at) => {
        const bytes = new TextEncoder().encode(stored);
        views.u8.fill(0xaa);
        views.u8.set(bytes, at);
        const hash = hashKey(probe, key);
        expect(hash).toBe(hashString(probe));
        expect(hash).toBe(hashBytes(new TextEncoder().encode(probe), 0, utf8Length(probe)));
        const p = new TextEncoder().encode(probe);
        const same = p.length === bytes.length && p.every((b, i) => b === bytes[i]);
        expect(equalsKey(probe, key, views.dv, views.u8, at, at + bytes.length)).toBe(same);
      }),
      { numRuns: 1000 },
    );
    // Near misses at every length: a different last byte, one byte more, one byte less.
    for (let n = 0; n <= 13; n++) {
      const stored = 'abcdefghijklm'.slice(0, n);
      views.u8.set(new TextEncoder().encode(`${stored}z`), 3);
      const equal = (probe: string) => {
        hashKey(probe, key);
        return equalsKey(probe, key, views.dv, views.u8, 3, 3 + n);
      };
      expect(equal(stored)).toBe(true);
      if (n > 0) expect(equal(`${stored.slice(0, -1)}x`)).toBe(false);
      if (n > 0) expect(equal(stored.slice(0, -1))).toBe(false);
      expect(equal(`${stored}z`)).toBe(false);
    }
  });
});
