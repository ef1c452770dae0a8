/**
 * Metadata blocks are reclaimed like any other block, and only when no pin can see them: a snapshot
 * taken before the map changed (and before its last key was deleted) reads its own map after the
 * writer reclaimed, debug mode poisoning what it frees; every version reads the map it was given;
 * and once the snapshot is released the arena is back to what an empty map uses. Values fill a
 * whole block (128 bytes of JSON), so a stray write next to the block would show.
 */
import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

/** A value whose map `{"k":"..."}` is exactly 128 bytes of JSON. */
const value = (c: string) => c.repeat(120);

describe('a metadata block', () => {
  it('stays readable while pinned, and is freed once the last key is deleted and nothing pins it', () => {
    const store = Store.create(s, { debug: true, reclaimInterval: 1 });
    try {
      store.write((tx) => tx.insert('t', { id: 0, v: 0 }));
      store.reclaim();
      const baseline = store.stats().usedBytes;

      store.write((tx) => tx.setMeta('k', value('a')));
      // A row write keeps the map: the pinned version is not the one that made the block.
      store.write((tx) => tx.update('t', 0, { v: 1 }));
      const old = store.snapshot();
      store.write((tx) => tx.setMeta('k', value('b')));
      expect(store.read((snap) => snap.meta('k'))).toBe(value('b'));
      store.write((tx) => tx.setMeta('k', null));
      for (let i = 0; i < 3; i++) store.write((tx) => tx.update('t', 0, { v: 2 + i }));
      store.reclaim();
      expect(store.read((snap) => snap.meta())).toEqual({});
      expect(old.meta()).toEqual({ k: value('a') });
      expect(old.get('t', 0)).toEqual({ id: 0, v: 1 });
      old.release();

      store.write((tx) => tx.setMeta('k', value('c')));
      expect(store.read((snap) => snap.meta())).toEqual({ k: value('c') });
      store.write((tx) => tx.setMeta('k', null));
      store.write((tx) => tx.update('t', 0, { v: 0 }));
      store.reclaim();
      expect(store.read((snap) => [snap.meta(), snap.get('t', 0)])).toEqual([{}, { id: 0, v: 0 }]);
      expect(store.stats().retiredBytes).toBe(0);
      expect(store.stats().usedBytes).toBe(baseline);
    } finally {
      store.close();
    }
  });
});
