/** The root block of version 1, the first block of the arena (at offset 0), is retired and freed like any later root. */
import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

describe('the first root block', () => {
  it('frees the root block of version 1 once version 2 is published', () => {
    const store = Store.create(s, { reclaimInterval: 1000 });
    store.write((tx) => tx.setMeta('k', 1));
    // Version 2 replaced nothing but the root: that is all there is to free.
    const retired = store.stats().retiredBytes;
    expect(retired).toBeGreaterThan(0);
    expect(store.reclaim()).toBe(retired);
    expect(store.stats().retiredBytes).toBe(0);
    store.close();
  });
});
