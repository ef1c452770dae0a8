/**
 * Row groups that a delete empties are given back whole, and only to the versions that could not
 * see them: a snapshot pinned before they were made keeps none of their blocks (chunks, utf8 and
 * list data where a group has any, the group block, the directory page of the 65th group), a snapshot pinned while they
 * held rows reads those rows through the delete and reclamation (debug poisoning what is freed),
 * and once both are released the arena uses what it used before the rows were added.
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, list, Store, schema, table, utf8 } from '../../src/index.js';

const s = schema([
  table(
    't',
    { id: int32(), note: utf8({ nullable: true }), tags: list(dictionary('tag')) },
    { key: 'id', rowGroupSize: 8 },
  ),
]);

/** 64 full groups fill the first directory page; the extra rows make groups 64 to 66. */
const BASE = 64 * 8;
const EXTRA = 3 * 8;

/** The last group's rows hold only nulls and empty lists: that group has no data blocks to give back. */
const row = (id: number) =>
  id >= BASE + EXTRA - 8
    ? { id, note: null, tags: [] }
    : { id, note: id % 5 === 0 ? null : `note ${id}`, tags: [`t${id % 7}`, `t${id % 3}`] };

describe('row groups emptied by a delete', () => {
  it('are freed for the versions that cannot see them, and kept for those that can', () => {
    const store = Store.create(s, { debug: true, reclaimInterval: 1_000 });
    try {
      store.write((tx) => {
        for (let id = 0; id < BASE; id++) tx.insert('t', row(id));
      });
      // Every tag interned now, so the rows added later change no domain.
      store.reclaim();
      const before = store.snapshot();
      const baseline = store.stats().usedBytes;
      // Added one group per commit, so that each group's blocks are born in their own version.
      for (let id = BASE; id < BASE + EXTRA; id += 8) {
        store.write((tx) => {
          for (let k = id; k < id + 8; k++) tx.insert('t', row(k));
        });
      }
      const full = store.snapshot();
      store.reclaim();
      // What `before` sees of the blocks the extra rows replaced.
      const seenByBefore = store.stats().retiredBytes;
      store.write((tx) => {
        for (let id = BASE + EXTRA - 1; id >= BASE; id--) tx.delete('t', id);
      });
      store.reclaim();
      for (let id = 0; id < BASE + EXTRA; id++) expect(full.get('t', id)).toEqual(row(id));
      full.release();
      store.reclaim();
      expect(store.stats().retiredBytes).toBe(seenByBefore);
      expect(before.count('t')).toBe(BASE);
      before.release();
      store.reclaim();
      expect(store.stats().retiredBytes).toBe(0);
      expect(store.stats().usedBytes).toBe(baseline);
      store.read((snap) => {
        expect(snap.count('t')).toBe(BASE);
        expect(snap.get('t', BASE - 1)).toEqual(row(BASE - 1));
        expect(snap.get('t', BASE)).toBeNull();
      });
    } finally {
      store.close();
    }
  });
});
