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
