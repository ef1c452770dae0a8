/**
 * A block at segment 0, offset 0 (packed ref 0) is a block like any other. Version 1's root is
 * there; once it is freed, the next block of its size class lands there: in this schema (one
 * int-keyed table, so a 128-byte root) that is in turn a root, the table's key locator directory
 * (two pages) and its top directory. Each is read, replaced and freed like the others: every
 * version reads its rows and metadata, and the root at ref 0 is given back (the arena grows by
 * the metadata block alone).
 */
import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('k', { id: int32(), v: int32() }, { key: 'id' })]);

describe('blocks at ref 0', () => {
  it('are read, replaced and freed like any other', () => {
    const store = Store.create(s, { reclaimInterval: 1, debug: true });
    const rows: Record<number, number> = {};
    const write = (ops: [id: number, v: number][]) =>
      store.write((tx) => {
        for (const [id, v] of ops) {
          if (id in rows) tx.update('k', id, { v });
          else tx.insert('k', { id, v });
          rows[id] = v;
        }
      });
    const expectRows = () =>
      store.read((snap) => {
        expect(snap.count('k')).toBe(Object.keys(rows).length);
        for (const [id, v] of Object.entries(rows))
          expect(snap.get('k', Number(id))).toEqual({ id: Number(id), v });
        expect(snap.meta()).toEqual({ a: 1 });
      });
    try {
      write([[0, 0]]);
      const used = store.stats().usedBytes;
      // The root of this version lands at ref 0; the next write replaces it.
      store.write((tx) => tx.setMeta('a', 1));
      write([[0, 2]]);
      // What the two writes added: the metadata block.
      expect(store.stats().usedBytes - used).toBe(64);
      expectRows();
      // The top directory is copied first; the locator, grown to two pages, lands at ref 0.
      write([
        [0, 3],
        [5000, 1],
      ]);
      expectRows();
      write([[0, 4]]);
      expectRows();
      write([[5001, 2]]);
      expectRows();
      // The top directory lands at ref 0, and is copied again by the next write.
      write([[0, 5]]);
      expectRows();
      write([
        [0, 6],
        [5001, 3],
        [9000, 4],
      ]);
      expectRows();
    } finally {
      store.close();
    }
  });
});
