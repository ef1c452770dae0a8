import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { int64, type StateError, Store, schema, table } from '../../src/index.js';

describe('a full arena', () => {
  it('fails the write with ARENA_FULL naming the oldest pin, and leaves the state as it was', () => {
    const segmentBytes = 64 * 1024;
    const store = Store.create(schema([table('t', { id: int64(), v: int64() })]), {
      rowGroupSize: 256,
      segmentBytes,
      maxBytes: 4 * segmentBytes,
    });
    store.write((tx) => {
      for (let i = 0; i < 2000; i++) tx.insert('t', { id: i, v: 0 });
    });
    const pin = store.snapshot();
    const held = [pin];
    let error: StateError | undefined;
    let lastGood = store.version;
    for (let round = 1; round < 100 && error === undefined; round++) {
      const before = store.read((s) => s.getAt('t', 1999));
      try {
        // Each round rewrites every row and pins the result, so every copy stays alive.
        held.push(store.snapshot());
        lastGood = store.write((tx) => {
          for (let i = 0; i < 2000; i++) tx.updateAt('t', i, { v: round });
        });
      } catch (err) {
        error = err as StateError;
        expect(store.version).toBe(lastGood);
        expect(store.read((s) => s.getAt('t', 1999))).toEqual(before);
      }
    }
    expect(error?.code).toBe('ARENA_FULL');
    expect(error?.message).toContain(`oldest pins version ${pin.version} in thread ${threadId}`);
    expect(store.stats().arenaBytes).toBeLessThanOrEqual(4 * segmentBytes);
    for (const h of held) h.release();
    store.close();
  });

  it('accepts the same write once the pins that filled it are released', () => {
    const segmentBytes = 64 * 1024;
    const store = Store.create(schema([table('t', { v: int64() })]), {
      rowGroupSize: 256,
      segmentBytes,
      maxBytes: 2 * segmentBytes,
    });
    store.write((tx) => {
      for (let i = 0; i < 2000; i++) tx.insert('t', { v: 0 });
    });
    const pins = [];
    let failed = false;
    for (let round = 1; round < 50 && !failed; round++) {
      pins.push(store.snapshot());
      try {
        store.write((tx) => {
          for (let i = 0; i < 2000; i++) tx.updateAt('t', i, { v: round });
        });
      } catch {
        failed = true;
      }
    }
    expect(failed).toBe(true);
    for (const p of pins) p.release();
    store.write((tx) => {
      for (let i = 0; i < 2000; i++) tx.updateAt('t', i, { v: -1 });
    });
    expect(store.read((s) => s.getAt('t', 0).v)).toBe(-1n);
    store.close();
  });
});
