import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

/** Waits until the clock has moved past `t`, so that the next commit gets a later time. */
function waitPast(t: number): void {
  while (Date.now() <= t) {
    // Spin: the wait is shorter than a timer's resolution.
  }
}

describe('snapshot.committedAt', () => {
  it('is the commit time of the pinned version, not of the newest one', () => {
    const beforeCreate = Date.now();
    const store = Store.create(s);
    const afterCreate = Date.now();
    try {
      const initial = store.snapshot();
      waitPast(afterCreate);
      const before1 = Date.now();
      store.write((tx) => tx.insert('t', { id: 1, v: 1 }));
      const after1 = Date.now();
      const first = store.snapshot();
      waitPast(after1);
      const before2 = Date.now();
      store.write((tx) => tx.update('t', 1, { v: 2 }));
      const after2 = Date.now();
      const second = store.snapshot();

      expect(initial.committedAt).toBeGreaterThanOrEqual(beforeCreate);
      expect(initial.committedAt).toBeLessThanOrEqual(afterCreate);
      expect(first.committedAt).toBeGreaterThanOrEqual(before1);
      expect(first.committedAt).toBeLessThanOrEqual(after1);
      expect(second.committedAt).toBeGreaterThanOrEqual(before2);
      expect(second.committedAt).toBeLessThanOrEqual(after2);
      expect(first.committedAt).toBeGreaterThan(initial.committedAt);
      expect(second.committedAt).toBeGreaterThan(first.committedAt);

      // A write that changes nothing publishes no version: the newest keeps its commit time.
      waitPast(after2);
      expect(store.write((tx) => tx.update('t', 1, {}))).toBe(second.version);
      expect(store.read((r) => r.committedAt)).toBe(second.committedAt);
      for (const snap of [initial, first, second]) snap.release();
    } finally {
      store.close();
    }
  });
});
