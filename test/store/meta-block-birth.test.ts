/**
 * A metadata block is born with the version that wrote it: a snapshot pinned before that version
 * keeps the map it sees (the older block) through reclamation, debug mode poisoning what is freed,
 * but not the newer blocks that replaced it, which the writer frees as soon as they are replaced.
 */
import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

describe('a metadata block born after a pinned version', () => {
  it('is freed once replaced, while the pinned version keeps its own map', () => {
    const store = Store.create(s, { debug: true, reclaimInterval: 1_000 });
    try {
      store.write((tx) => tx.setMeta('k', 'a'.repeat(200)));
      const old = store.snapshot();
      store.write((tx) => tx.setMeta('k', 'b'.repeat(200)));
      store.reclaim();
      // What the pinned version sees: its root and its metadata block.
      const kept = store.stats().retiredBytes;
      expect(kept).toBeGreaterThan(0);
      store.write((tx) => tx.setMeta('k', 'c'.repeat(200)));
      store.reclaim();
      // The block of 'b' and the root that named it: born after the pin, gone with it unseen.
      expect(store.stats().retiredBytes).toBe(kept);
      expect(old.meta('k')).toBe('a'.repeat(200));
      expect(store.read((snap) => snap.meta('k'))).toBe('c'.repeat(200));
      old.release();
      store.reclaim();
      expect(store.stats().retiredBytes).toBe(0);
    } finally {
      store.close();
    }
  });
});
