/**
 * Every block a dictionary domain outgrows is given back: a domain grown one string per commit
 * (its offsets, bytes and hash index each replaced several times, each old block retired by a
 * later version) and then emptied by a compaction uses, once reclaimed, exactly the arena bytes of a
 * domain that held one string and was emptied the same way.
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' })]);

/** Inserts `count` nodes, one per commit, deletes them all, reclaims: the arena bytes in use. */
function usedAfter(count: number): number {
  const store = Store.create(s, {
    rowGroupSize: 1024,
    compactMinStrings: 1,
    reclaimInterval: 1,
    debug: true,
  });
  try {
    for (let i = 0; i < count; i++)
      store.write((tx) => tx.insert('nodes', { id: `node-${i}-of-many`, n: i }));
    const v = store.version;
    store.write((tx) => {
      for (let i = 0; i < count; i++) tx.delete('nodes', `node-${i}-of-many`);
    });
    // The delete, then the compaction that dropped every string.
    expect(store.version).toBe(v + 2);
    store.reclaim();
    expect(store.stats().retiredBytes).toBe(0);
    store.read((snap) => expect([snap.count('nodes'), snap.domainSize('node')]).toEqual([0, 0]));
    return store.stats().usedBytes;
  } finally {
    store.close();
  }
}

describe('a dictionary domain that grew', () => {
  it('gives back every block it outgrew', () => {
    // 600 strings: offsets 256 -> 1024 codes, bytes 4 -> 16 KiB, hash index 64 -> 2048 slots.
    expect(usedAfter(600)).toBe(usedAfter(1));
  });
});
