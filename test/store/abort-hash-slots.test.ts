/**
 * An aborted write must empty the hash slots it filled in a published index. A slot it left behind
 * would hold the aborted string's code, hash and byte range; the next string interned takes the same
 * code and its bytes start at the same offset. When the aborted string is a prefix of the next one
 * (or is empty), the stale entry's byte range then holds exactly the aborted string's bytes: every
 * check a lookup makes (tag, code below the version's length, whole hash, bytes) passes, and the
 * aborted string is "found" with the other string's code. Strings that merely differ (as in the
 * dictionary tests) fail the byte comparison and hide a leftover slot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('nodes', { node_id: dictionary('node'), n: int32() }, { key: 'node_id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

/** Aborted string, then the committed string that takes its code: a prefix, the empty string, UTF-8. */
const PAIRS: readonly (readonly [string, string])[] = [
  ['ghost', 'ghostly'],
  ['', 'anything'],
  ['gh\u00f6st', 'gh\u00f6stly'],
];

describe('an aborted write that interned a string', () => {
  it.each(PAIRS)('leaves no trace of %j once %j takes its code', (ghost, next) => {
    const store = Store.create(s, { debug: true });
    open.push(store);
    // Published strings first, so the hash index the aborted write fills is a published block.
    store.write((tx) => {
      tx.insert('nodes', { node_id: 'a', n: 1 });
      tx.insert('nodes', { node_id: 'b', n: 2 });
    });
    let ghostCode = -1;
    expect(() =>
      store.write((tx) => {
        tx.insert('nodes', { node_id: ghost, n: 3 });
        ghostCode = tx.codeOf('node', ghost);
        throw new Error('abort');
      }),
    ).toThrowError('abort');
    expect(ghostCode).toBe(2);
    store.write((tx) => {
      tx.insert('nodes', { node_id: next, n: 4 });
      // The premise of this test: the next string reuses the aborted one's code (and bytes' start).
      expect(tx.codeOf('node', next)).toBe(ghostCode);
      expect(tx.codeOf('node', ghost)).toBe(-1);
    });
    store.read((snap) => {
      expect(snap.codeOf('node', ghost)).toBe(-1);
      expect(snap.get('nodes', ghost)).toBeNull();
      expect(snap.locate('nodes', ghost)).toBe(-1);
      expect(snap.codeOf('node', next)).toBe(ghostCode);
    });
    // Interning the aborted string for real gives it a code of its own, not the other string's.
    store.write((tx) => tx.insert('nodes', { node_id: ghost, n: 5 }));
    store.read((snap) => {
      expect(snap.codeOf('node', ghost)).toBe(3);
      expect(snap.get('nodes', ghost)).toEqual({ node_id: ghost, n: 5 });
      expect(snap.get('nodes', next)).toEqual({ node_id: next, n: 4 });
      expect(snap.domainSize('node')).toBe(4);
    });
  });
});
