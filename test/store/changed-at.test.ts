import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('a', { id: int32(), v: int32() }, { key: 'id' }),
  table('b', { id: dictionary('b'), v: int32() }, { key: 'id' }),
]);

describe('snapshot.changedAt(table)', () => {
  it('is the last version that changed the table; tables a write leaves alone keep theirs', () => {
    const store = Store.create(s);
    try {
      const initial = store.read((r) => ({ a: r.changedAt('a'), b: r.changedAt('b'), v: r.version }));
      expect(initial.a).toBeLessThanOrEqual(initial.v);
      expect(initial.b).toBeLessThanOrEqual(initial.v);
      const at = () => store.read((r) => ({ a: r.changedAt('a'), b: r.changedAt('b') }));

      const v1 = store.write((tx) => tx.insert('a', { id: 1, v: 1 }));
      expect(at()).toEqual({ a: v1, b: initial.b });
      const pinned = store.snapshot();

      const v2 = store.write((tx) => tx.insert('b', { id: 'x', v: 1 }));
      expect(at()).toEqual({ a: v1, b: v2 });

      const v3 = store.write((tx) => {
        tx.update('a', 1, { v: 2 });
        tx.update('b', 'x', { v: 2 });
      });
      expect(at()).toEqual({ a: v3, b: v3 });

      // A delete is a change; a write that changes nothing and a failed write publish nothing.
      const v4 = store.write((tx) => tx.delete('a', 1));
      expect(at()).toEqual({ a: v4, b: v3 });
      expect(store.write((tx) => tx.update('b', 'x', {}))).toBe(v4);
      expect(() =>
        store.write((tx) => {
          tx.insert('b', { id: 'y', v: 3 });
          throw new Error('abort');
        }),
      ).toThrowError('abort');
      expect(store.version).toBe(v4);
      expect(at()).toEqual({ a: v4, b: v3 });

      // A snapshot answers for its own version.
      expect(pinned.changedAt('a')).toBe(v1);
      expect(pinned.changedAt('b')).toBe(initial.b);
      pinned.release();
    } finally {
      store.close();
    }
  });
});
