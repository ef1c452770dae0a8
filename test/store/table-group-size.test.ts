import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table, utf8 } from '../../src/index.js';

// A table may have its own row-group size: here 8 rows for `hot` and the store's 64 for `cold`.
// Every path that maps a row position to its group must use the table's size, not the store's.
const s = schema([
  table('hot', { id: int32(), v: int32(), note: utf8({ nullable: true }) }, { key: 'id', rowGroupSize: 8 }),
  table('cold', { id: dictionary('id'), v: int32() }, { key: 'id' }),
]);

describe('a table with its own row-group size', () => {
  it('lays its rows out in groups of its size, through writes, reads, deletes and loads', async () => {
    const store = Store.create(s, { rowGroupSize: 64 });
    store.write((tx) => {
      for (let i = 0; i < 100; i++) {
        tx.insert('hot', { id: i, v: i, note: i % 3 ? `n${i}` : null });
        tx.insert('cold', { id: `c${i}`, v: i });
      }
    });
    store.write((tx) => {
      for (let i = 0; i < 100; i += 7) tx.update('hot', i, { v: -i });
      tx.increment('hot', 99, 'v', 1);
      tx.delete('hot', 3); // row 99 moves into position 3
      tx.delete('cold', 'c3');
    });
    store.read((snap) => {
      expect(snap.chunks('hot', 'v').map((c) => c.values.length)).toEqual([...Array(12).fill(8), 3]);
      expect(snap.chunks('cold', 'v').map((c) => c.values.length)).toEqual([64, 35]);
      expect(snap.table('hot').batches.map((b) => b.numRows)).toEqual([...Array(12).fill(8), 3]);
      expect(snap.getAt('hot', 3)).toEqual({ id: 99, v: 100, note: null });
      expect(snap.get('hot', 98)).toEqual({ id: 98, v: -98, note: 'n98' });
      expect(snap.get('hot', 3)).toBeNull();
      for (let i = 0; i < 100; i++)
        if (i !== 3) expect(snap.get('cold', `c${i}`)).toEqual({ id: `c${i}`, v: i });
    });
    // A bulk load appends in groups of the table's size too.
    const copy = Store.create(s, { rowGroupSize: 64 });
    copy.write((tx) => tx.load('hot', tableFromIPC(tableToIPC(store.read((snap) => snap.table('hot'))))));
    expect(copy.read((snap) => snap.chunks('hot', 'v').map((c) => c.values.length))).toEqual([
      ...Array(12).fill(8),
      3,
    ]);
    expect(copy.read((snap) => snap.getAt('hot', 3))).toEqual({ id: 99, v: 100, note: null });
    // Another attachment compiles the same layout from the handle.
    const reader = await Store.attach(store.handle());
    expect(reader.read((snap) => snap.chunks('hot', 'v').length)).toBe(13);
    expect(reader.read((snap) => snap.get('hot', 98))).toEqual({ id: 98, v: -98, note: 'n98' });
    reader.close();
    copy.close();
    store.close();
  });

  it('refuses a size that is not a power of two of at least 8', () => {
    for (const rowGroupSize of [0, 4, 100, 1.5, 2 ** 25]) {
      expect(() => table('t', { id: int32() }, { rowGroupSize })).toThrow(
        expect.objectContaining({ code: 'INVALID_SCHEMA' }),
      );
    }
  });
});
