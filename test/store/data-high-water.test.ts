/**
 * The data high-water mark of a utf8 or list column only rises: once a version has seen items of a
 * data block, no later version writes over them in place, even after the rows that held them were
 * deleted. Here a pinned snapshot sees four rows; later versions delete the last one and append a
 * new row in its place, and the snapshot still reads its four rows as they were.
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, list, Store, schema, table, utf8 } from '../../src/index.js';

const s = schema([
  table('t', { id: int32(), note: utf8(), tags: list(dictionary('tag')) }, { key: 'id', rowGroupSize: 8 }),
]);

const row = (id: number, c: string) => ({
  id,
  note: c.repeat(10 + id),
  tags: [`${c}${id}`, `${c}${id + 1}`],
});

describe('a data block seen by a pinned version', () => {
  it('is not written in place after the rows that held its items were deleted', () => {
    const store = Store.create(s, { debug: true });
    try {
      store.write((tx) => {
        for (let id = 0; id < 4; id++) tx.insert('t', row(id, 'a'));
      });
      const old = store.snapshot();
      store.write((tx) => tx.delete('t', 3));
      store.write((tx) => tx.insert('t', row(4, 'b')));
      store.write((tx) => tx.insert('t', row(5, 'c')));
      for (let id = 0; id < 4; id++) expect(old.get('t', id)).toEqual(row(id, 'a'));
      store.read((snap) => {
        expect(snap.count('t')).toBe(5);
        expect(snap.get('t', 3)).toBeNull();
        expect(snap.get('t', 4)).toEqual(row(4, 'b'));
        expect(snap.get('t', 5)).toEqual(row(5, 'c'));
      });
      old.release();
    } finally {
      store.close();
    }
  });
});
