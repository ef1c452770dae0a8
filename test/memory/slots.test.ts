import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { int32, type StateError, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

function bump(store: Store, v: number) {
  store.write((tx) => {
    if (tx.count('t') === 0) tx.insert('t', { id: 0, v });
    else tx.update('t', 0, { v });
  });
}

describe('reader slots', () => {
  it('share one slot among the snapshots of one version in a thread', () => {
    const store = Store.create(s, { readerSlots: 1 });
    bump(store, 1);
    const a = store.snapshot();
    const b = store.snapshot();
    expect(store.stats().pins).toEqual([{ version: a.version, threadId }]);
    a.release();
    // b still pins the version: the slot stays.
    expect(store.stats().pins).toHaveLength(1);
    expect(b.get('t', 0)).toEqual({ id: 0, v: 1 });
    b.release();
    expect(store.stats().pins).toHaveLength(0);
    store.close();
  });

  it('give a clear error naming the oldest pin when all are taken', () => {
    const store = Store.create(s, { readerSlots: 2 });
    bump(store, 1);
    const first = store.snapshot();
    bump(store, 2);
    const second = store.snapshot();
    bump(store, 3);
    let error: StateError | undefined;
    try {
      store.snapshot();
    } catch (err) {
      error = err as StateError;
    }
    expect(error?.code).toBe('SLOTS_FULL');
    expect(error?.message).toContain(`oldest pins version ${first.version} in thread ${threadId}`);
    second.release();
    const third = store.snapshot();
    expect(third.get('t', 0)?.v).toBe(3);
    first.release();
    third.release();
    store.close();
  });

  it('pin the newest version and reuse a released slot', () => {
    // One slot is enough for a thread that releases each pin before taking the next.
    const store = Store.create(s, { readerSlots: 1 });
    for (let i = 0; i < 1000; i++) {
      bump(store, i);
      const snap = store.snapshot();
      expect(snap.version).toBe(store.version);
      snap.release();
    }
    store.close();
  });
});
