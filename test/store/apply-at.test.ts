import { describe, expect, it } from 'vitest';
import { batch, int32, Store, schema, table, utf8 } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: utf8() }, { key: 'id' })]);

describe('applyAt: replaying a record at its own version', () => {
  it('publishes exactly the given version, gaps allowed, even for a batch that changes nothing', () => {
    const store = Store.create(s);
    expect(store.applyAt(5, batch().insert('t', { id: 1, v: 'a' }).build())).toBe(5);
    expect(store.read((snap) => [snap.version, snap.get('t', 1)])).toEqual([5, { id: 1, v: 'a' }]);
    // A marker (nothing to apply) still makes its version.
    expect(store.applyAt(6, null)).toBe(6);
    expect(store.version).toBe(6);
    // Ordinary writes go on from there.
    expect(store.write((tx) => tx.update('t', 1, { v: 'b' }))).toBe(7);
    // A checkpoint restored at its own version.
    const restored = Store.create(s);
    expect(restored.write((tx) => tx.insert('t', { id: 9, v: 'z' }), { version: 42 })).toBe(42);
    store.close();
    restored.close();
  });

  it('refuses a version at or below the newest, and a failing batch leaves version and rows as they were', () => {
    const store = Store.create(s);
    store.applyAt(3, batch().insert('t', { id: 1, v: 'a' }).build());
    for (const v of [3, 2, 3.5, Number.NaN]) {
      expect(() => store.applyAt(v, null)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
    expect(() =>
      store.applyAt(4, batch().insert('t', { id: 2, v: 'b' }).insert('t', { id: 1, v: 'c' }).build()),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_KEY' }));
    expect(store.version).toBe(3);
    expect(store.read((snap) => snap.count('t'))).toBe(1);
    expect(store.applyAt(4, null)).toBe(4);
    store.close();
  });
});
