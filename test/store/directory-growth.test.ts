/**
 * A table's top directory grows to hold the pages of every row group, also when one transaction
 * adds many more pages than the top block had room for (here 9 pages of 64 groups, from a top block
 * of 4, and then 20 more in a second transaction): every row reads back, in the new version and in
 * a snapshot pinned between the two.
 */
import { describe, expect, it } from 'vitest';
import { int32, type Snapshot, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id', rowGroupSize: 8 })]);

/** Rows per directory page: 64 groups of 8. */
const PAGE_ROWS = 64 * 8;

function expectRows(snap: Snapshot, rows: number): void {
  expect(snap.count('t')).toBe(rows);
  const v = snap.table('t').getChild('v')!.toArray() as Int32Array;
  expect(v.length).toBe(rows);
  for (let id = 0; id < rows; id++) if (v[id] !== id * 3) expect(v[id]).toBe(id * 3);
  for (let id = 0; id < rows; id += 97) expect(snap.get('t', id)).toEqual({ id, v: id * 3 });
  expect(snap.get('t', rows - 1)).toEqual({ id: rows - 1, v: (rows - 1) * 3 });
}

describe('a top directory', () => {
  it('grows to hold every page that one transaction adds', () => {
    const store = Store.create(s, { debug: true, reclaimInterval: 1 });
    try {
      const first = 9 * PAGE_ROWS;
      store.write((tx) => {
        for (let id = 0; id < first; id++) tx.insert('t', { id, v: id * 3 });
      });
      const pinned = store.snapshot();
      const all = first + 20 * PAGE_ROWS;
      store.write((tx) => {
        for (let id = first; id < all; id++) tx.insert('t', { id, v: id * 3 });
      });
      store.reclaim();
      expectRows(pinned, first);
      store.read((snap) => expectRows(snap, all));
      pinned.release();
    } finally {
      store.close();
    }
  });
});
