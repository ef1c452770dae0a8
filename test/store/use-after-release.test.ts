import { describe, expect, it } from 'vitest';
import { int32, POISON_BYTE, StateError, Store, schema, table } from '../../src/index.js';

const POISON_I32 = new Int32Array(new Uint8Array(4).fill(POISON_BYTE).buffer)[0]!;

function load(debug: boolean) {
  const store = Store.create(schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]), {
    rowGroupSize: 64,
    segmentBytes: 64 * 1024,
    debug,
  });
  store.write((tx) => {
    for (let i = 0; i < 64; i++) tx.insert('t', { id: i, v: 1000 + i });
  });
  return store;
}

describe('use after release', () => {
  it('is caught in debug mode: a view kept past release reads poison once its blocks are freed', () => {
    const store = load(true);
    const snap = store.snapshot();
    const stale = snap.chunks('t', 'v')[0]!.values as Int32Array;
    expect(stale[5]).toBe(1005);
    snap.release();
    // Rewrite the chunk so the released version's copy is retired, then reclaim it.
    store.write((tx) => {
      tx.update('t', 5, { v: 0 });
    });
    store.reclaim();
    expect(Array.from(stale).every((x) => x === POISON_I32)).toBe(true);
    store.close();
  });

  it('keeps the bytes of a pinned version intact in debug mode', () => {
    const store = load(true);
    const snap = store.snapshot();
    const view = snap.chunks('t', 'v')[0]!.values as Int32Array;
    store.write((tx) => {
      tx.update('t', 5, { v: 0 });
    });
    store.reclaim();
    expect(view[5]).toBe(1005);
    expect(view[63]).toBe(1063);
    snap.release();
    store.close();
  });

  it('refuses every read through a released snapshot', () => {
    const store = load(false);
    const snap = store.snapshot();
    snap.release();
    expect(snap.released).toBe(true);
    for (const read of [
      () => snap.count('t'),
      () => snap.get('t', 1),
      () => snap.getAt('t', 0),
      () => snap.table('t'),
      () => snap.chunks('t', 'v'),
    ]) {
      expect(read).toThrowError(StateError);
      try {
        read();
      } catch (err) {
        expect((err as StateError).code).toBe('SNAPSHOT_RELEASED');
      }
    }
    snap.release(); // idempotent
    store.close();
  });
});

describe('closing the store', () => {
  it('ends the snapshots taken through it', () => {
    const store = load(false);
    const snap = store.snapshot();
    store.close();
    expect(() => snap.count('t')).toThrowError(/was closed/);
    snap.release();
    expect(() => store.snapshot()).toThrowError(StateError);
  });
});
