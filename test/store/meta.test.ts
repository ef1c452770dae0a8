import { describe, expect, it } from 'vitest';
import { batch, decodeBatch, encodeBatch, int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

describe('store metadata', () => {
  it('is versioned with the rows: each snapshot sees the map of its version', () => {
    const store = Store.create(s);
    expect(store.read((snap) => snap.meta())).toEqual({});
    const v1 = store.write((tx) => {
      tx.setMeta('cluster_id', 'c-1');
      tx.setMeta('schema_version', 3);
      expect(tx.meta('cluster_id')).toBe('c-1');
    });
    const old = store.snapshot();
    const v2 = store.write((tx) => {
      tx.setMeta('schema_version', 4);
      tx.setMeta('cluster_id', null);
      tx.insert('t', { id: 1, v: 1 });
    });
    expect(v2).toBe(v1 + 1);
    expect(old.meta()).toEqual({ cluster_id: 'c-1', schema_version: 3 });
    expect(old.meta('schema_version')).toBe(3);
    store.read((snap) => {
      expect(snap.meta()).toEqual({ schema_version: 4 });
      expect(snap.meta('cluster_id')).toBeUndefined();
      // Keys are data, not object members.
      expect(snap.meta('__proto__')).toBeUndefined();
      expect(snap.meta('toString')).toBeUndefined();
    });
    old.release();
    store.close();
  });

  it('publishes no version when a value is set to what it already is', () => {
    const store = Store.create(s);
    const v = store.write((tx) => tx.setMeta('master_id', 'node-1'));
    expect(store.write((tx) => tx.setMeta('master_id', 'node-1'))).toBe(v);
    expect(store.write((tx) => tx.setMeta('absent', null))).toBe(v);
    store.close();
  });

  it('refuses keys and values it cannot keep, with INVALID_META, changing nothing', () => {
    const store = Store.create(s, { maxStringBytes: 100 });
    store.write((tx) => tx.setMeta('a', 1));
    const v = store.version;
    for (const [key, value] of [
      ['', 1],
      ['k'.repeat(257), 1],
      ['a', Number.NaN],
      ['a', Number.POSITIVE_INFINITY],
      ['a', 'x'.repeat(101)],
      ['a', { nested: true }],
      ['a', 1n],
      [7, 1],
    ] as const) {
      expect(() => store.write((tx) => tx.setMeta(key as string, value as never))).toThrow(
        expect.objectContaining({ code: 'INVALID_META' }),
      );
    }
    expect(store.version).toBe(v);
    expect(store.read((snap) => snap.meta())).toEqual({ a: 1 });
    store.close();
  });

  it('is recorded as an effect that replays, also through FlatBuffers bytes', () => {
    const a = Store.create(s);
    let bytes: Uint8Array | null = null;
    a.write((tx) => {
      tx.setMeta('origin', 'checkpoint-7');
      tx.setMeta('ratio', -0.25);
      tx.insert('t', { id: 2, v: 2 });
      bytes = encodeBatch(tx.batch);
    });
    const b = Store.create(s);
    b.apply(decodeBatch(bytes!).batch);
    expect(b.read((snap) => snap.meta())).toEqual({ origin: 'checkpoint-7', ratio: -0.25 });
    const c = Store.create(s);
    c.apply(batch().setMeta('origin', 'x').setMeta('origin', null).build());
    expect(c.read((snap) => snap.meta())).toEqual({});
    for (const store of [a, b, c]) store.close();
  });

  it('frees the blocks of replaced maps once no pin sees them', () => {
    const store = Store.create(s, { reclaimInterval: 1 });
    store.write((tx) => tx.setMeta('n', 0));
    store.reclaim();
    const used = store.stats().usedBytes;
    for (let n = 1; n <= 1_000; n++) store.write((tx) => tx.setMeta('n', n));
    store.reclaim();
    expect(store.stats().usedBytes).toBe(used);
    expect(store.read((snap) => snap.meta('n'))).toBe(1_000);
    store.close();
  });
});

describe('store metadata in a full arena', () => {
  it('fails the write with ARENA_FULL and keeps the map the current version names', () => {
    const segmentBytes = 64 * 1024;
    const store = Store.create(s, {
      segmentBytes,
      maxBytes: 2 * segmentBytes,
      debug: true,
      maxStringBytes: 1 << 20,
    });
    const pins = [];
    let failed: unknown = null;
    let last = '';
    for (let n = 0; n < 100 && failed === null; n++) {
      // Each version's map is a 16 KiB block, kept alive by a pin, until the arena is full.
      pins.push(store.snapshot());
      const value = `${n}`.padEnd(16_000, '.');
      try {
        store.write((tx) => tx.setMeta('blob', value));
        last = value;
      } catch (err) {
        failed = err;
      }
    }
    expect(failed).toMatchObject({ code: 'ARENA_FULL' });
    for (const pin of pins) pin.release();
    store.reclaim();
    // The block of the current map was not given up by the failed write (debug mode poisons freed
    // blocks, so a freed one would not read back).
    expect(store.read((snap) => snap.meta('blob'))).toBe(last);
    // The failed write gave nothing up twice either: every later map reads back while the one
    // before it is still pinned (a block freed twice would be handed out twice).
    for (let n = 0; n < 20; n++) {
      const before = store.snapshot();
      const value = `again ${n}`.padEnd(16_000, '-');
      store.write((tx) => tx.setMeta('blob', value));
      store.reclaim();
      expect(store.read((snap) => snap.meta('blob'))).toBe(value);
      expect(before.meta('blob')).toBe(n === 0 ? last : `again ${n - 1}`.padEnd(16_000, '-'));
      before.release();
    }
    store.close();
  });
});
