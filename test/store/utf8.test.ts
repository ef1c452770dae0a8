import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentViews } from '../../src/memory/segments.js';
import { equalsUtf8, hashBytes, hashString, readUtf8, utf8Length, writeUtf8 } from '../../src/store/utf8.js';

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
});
