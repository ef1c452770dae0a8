/** The writer reclaims on its own every `reclaimInterval` commits. */
import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

describe('reclamation by the writer', () => {
  it('runs every reclaimInterval commits', () => {
    const store = Store.create(s, { reclaimInterval: 4 });
    store.write((tx) => tx.insert('t', { id: 1, v: 0 }));
    store.reclaim();
    for (let v = 1; v <= 3; v++) store.write((tx) => tx.update('t', 1, { v }));
    // Three commits since the last scan: their replaced blocks still wait.
    expect(store.stats().retiredBytes).toBeGreaterThan(0);
    store.write((tx) => tx.update('t', 1, { v: 4 }));
    // The fourth scans, and no pin holds anything back.
    expect(store.stats().retiredBytes).toBe(0);
    store.close();
  });
});
