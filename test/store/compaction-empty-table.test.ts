/**
 * A compaction rewrites every table whose columns hold the domain's codes, also one that never had
 * a row (no row groups, no directory): that table stays empty and usable, and rows inserted into
 * it afterwards read back.
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' }),
  table('tasks', { id: int32(), node: dictionary('node') }, { key: 'id' }),
]);

describe('a compaction with a table that never had a row', () => {
  it('leaves that table empty and usable', () => {
    const store = Store.create(s, { compactMinStrings: 4, debug: true });
    try {
      store.write((tx) => {
        for (let i = 0; i < 8; i++) tx.insert('nodes', { id: `n${i}`, n: i });
      });
      const v = store.version;
      store.write((tx) => {
        for (let i = 0; i < 6; i++) tx.delete('nodes', `n${i}`);
      });
      // The delete, then the compaction.
      expect(store.version).toBe(v + 2);
      store.read((snap) => {
        expect(snap.count('tasks')).toBe(0);
        expect(snap.table('tasks').numRows).toBe(0);
      });
      store.write((tx) => tx.insert('tasks', { id: 1, node: 'n7' }));
      store.read((snap) => {
        expect(snap.get('tasks', 1)).toEqual({ id: 1, node: 'n7' });
        expect(snap.domainSize('node')).toBe(2);
      });
    } finally {
      store.close();
    }
  });
});
