import { afterEach, describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

// snapshot.chunks over a range of row groups (what a query part reads), groupCount, rowGroupSize
// and schema.
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

describe('snapshot.chunks of a row-group range', () => {
  it('gives the views of groups [start, end), clamped to the table', () => {
    const s = schema([table('t', { id: int32() }, { key: 'id', rowGroupSize: 8 })]);
    store = Store.create(s);
    // 150 rows in groups of 8: 19 groups, the last holding 6 rows.
    store.write((tx) => {
      for (let id = 0; id < 150; id++) tx.insert('t', { id });
    });
    store.read((snap) => {
      expect(snap.groupCount('t')).toBe(19);
      expect(snap.rowGroupSize('t')).toBe(8);
      expect(snap.schema).toEqual(s);
      const all = snap.chunks('t', 'id');
      expect(all).toHaveLength(19);
      const part = snap.chunks('t', 'id', 5, 9);
      expect(part.map((c) => (c.values as Int32Array)[0])).toEqual([40, 48, 56, 64]);
      expect(snap.chunks('t', 'id', 17, 100).map((c) => c.length)).toEqual([8, 6]);
      expect(snap.chunks('t', 'id', 30, 40)).toEqual([]);
      expect(snap.chunks('t', 'id', 4, 2)).toEqual([]);
    });
  });

  it('reads groups past the first directory page', () => {
    store = Store.create(schema([table('t', { id: int32() }, { key: 'id', rowGroupSize: 8 })]));
    store.write((tx) => {
      for (let id = 0; id < 8 * 140; id++) tx.insert('t', { id });
    });
    store.read((snap) => {
      const part = snap.chunks('t', 'id', 63, 130);
      expect(part).toHaveLength(67);
      part.forEach((c, k) => {
        expect((c.values as Int32Array)[0]).toBe((63 + k) * 8);
      });
    });
  });
});
