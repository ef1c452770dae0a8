/**
 * A domain's first offsets block may be a reused block that debug mode poisoned when it was freed:
 * its first string still starts at byte 0, and a compaction that keeps it copies just its bytes.
 * Here domain `a` outgrows its first offsets block inside one transaction (freed, poisoned, at
 * commit), and domain `b`, new in the next, gets that block. (Reads clamp a bad start to 0; the
 * compaction's size of the strings it keeps does not, and would not fit the arena.)
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('a', { id: dictionary('a'), n: int32() }, { key: 'id' }),
  table('b', { id: dictionary('b'), n: int32() }, { key: 'id' }),
]);

describe("a new domain's first offsets block", () => {
  it('starts its first string at byte 0, even in a reused, poisoned block', () => {
    const store = Store.create(s, {
      debug: true,
      segmentBytes: 1 << 20,
      maxBytes: 8 << 20,
      compactMinStrings: 4,
    });
    try {
      store.write((tx) => {
        // 300 strings: the offsets block of 256 codes is replaced by one of 512 in this transaction.
        for (let i = 0; i < 300; i++) tx.insert('a', { id: `a${i}`, n: i });
      });
      store.write((tx) => {
        tx.insert('b', { id: 'first', n: 1 });
        for (let i = 0; i < 8; i++) tx.insert('b', { id: `b${i}`, n: i });
      });
      store.read((snap) => expect(snap.get('b', 'first')).toEqual({ id: 'first', n: 1 }));
      // Most of b's strings die: the commit compacts the domain, keeping 'first' (code 0).
      store.write((tx) => {
        for (let i = 0; i < 8; i++) tx.delete('b', `b${i}`);
      });
      store.read((snap) => {
        expect(snap.domainSize('b')).toBe(1);
        expect(snap.get('b', 'first')).toEqual({ id: 'first', n: 1 });
        expect(snap.table('b').getChild('id')?.toArray()).toEqual(['first']);
        expect(snap.get('a', 'a299')).toEqual({ id: 'a299', n: 299 });
      });
    } finally {
      store.close();
    }
  });
});
