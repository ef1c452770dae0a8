import { describe, expect, it } from 'vitest';
import { float64, int32, Store, schema, table } from '../../src/index.js';

function create() {
  return Store.create(
    schema([
      table('t', { id: int32(), x: float64({ nullable: true }) }, { key: 'id' }),
      table('u', { a: int32() }),
    ]),
  );
}

describe('store.write', () => {
  it('publishes one version per transaction that changes something', () => {
    const store = create();
    const v1 = store.version;
    expect(store.write((tx) => tx.insert('t', { id: 1, x: 1 }))).toBe(v1 + 1);
    expect(store.write((tx) => tx.update('t', 1, { x: 2 }))).toBe(v1 + 2);
    expect(store.version).toBe(v1 + 2);
    store.close();
  });

  it('publishes nothing for a transaction that only reads or changes nothing', () => {
    const store = create();
    store.write((tx) => tx.insert('t', { id: 1, x: 1 }));
    const v = store.version;
    expect(store.write(() => {})).toBe(v);
    expect(store.write((tx) => void tx.count('t'))).toBe(v);
    expect(store.write((tx) => tx.update('t', 1, {}))).toBe(v);
    expect(store.write((tx) => void tx.get('t', 1))).toBe(v);
    expect(store.version).toBe(v);
    expect(store.stats().pins).toEqual([]);
    store.close();
  });

  it('treats undefined in an update as a column not given, and null as null', () => {
    const store = create();
    store.write((tx) => tx.insert('t', { id: 1, x: 1.5 }));
    store.write((tx) => tx.update('t', 1, { x: undefined }));
    expect(store.read((s) => s.get('t', 1))).toEqual({ id: 1, x: 1.5 });
    store.write((tx) => tx.update('t', 1, { x: null }));
    expect(store.read((s) => s.get('t', 1))).toEqual({ id: 1, x: null });
    store.close();
  });

  it('gives an empty Arrow table for a table that never had a row', () => {
    const store = create();
    store.write((tx) => tx.insert('t', { id: 1, x: 1 }));
    const view = store.read((s) => s.table('u'));
    expect(view.numRows).toBe(0);
    expect(view.schema.fields.map((f) => f.name)).toEqual(['a']);
    expect(store.read((s) => s.chunks('u', 'a'))).toEqual([]);
    store.close();
  });
});

describe('an operation that fails half done', () => {
  it('breaks its transaction even if the callback catches the error', () => {
    const store = Store.create(schema([table('t', { id: int32(), x: float64() }, { key: 'id' })]), {
      rowGroupSize: 64,
      segmentBytes: 32 * 1024,
      maxBytes: 64 * 1024,
    });
    const before = store.version;
    let caught: unknown = null;
    let error: unknown = null;
    try {
      store.write((tx) => {
        // Each new row group needs fresh blocks; the arena runs out inside an insert, after its
        // first changes were made.
        for (let i = 0; i < 10_000; i++) {
          try {
            tx.insert('t', { id: i, x: i });
          } catch (err) {
            caught = err;
            break;
          }
        }
      });
    } catch (err) {
      error = err;
    }
    expect((caught as { code?: string })?.code).toBe('ARENA_FULL');
    expect((error as { code?: string })?.code).toBe('TX_BROKEN');
    expect(store.version).toBe(before);
    expect(store.read((s) => s.count('t'))).toBe(0);
    // The store goes on: everything the broken transaction allocated was freed.
    store.write((tx) => {
      for (let i = 0; i < 100; i++) tx.insert('t', { id: i, x: i });
    });
    expect(store.read((s) => s.get('t', 1))).toEqual({ id: 1, x: 1 });
    store.close();
  });
});
