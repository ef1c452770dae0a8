/**
 * A bulk load into an empty domain tells strings apart by their bytes, not their hash: different
 * strings of equal 32-bit hash (of equal length, and of different lengths) get codes of their own,
 * and a string the Arrow dictionary repeats gets one. And an index of more than 2^16 slots (over 32,768 strings), whose
 * slots are sorted into buckets of several slots each, holds every string.
 */
import { Dictionary, Int32, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';
import { hashBytes } from '../../src/store/utf8.js';

const s = schema([table('tasks', { id: int32(), node: dictionary('node') }, { key: 'id' })]);

/** A table of ids 0.. and a node column naming `entries[indices[i]]`. */
function rowsOf(entries: string[], indices: number[]): Table {
  const node = makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length: indices.length,
    nullCount: 0,
    data: Int32Array.from(indices),
    dictionary: vectorFromArray(entries, new Utf8()),
  });
  return new Table({ id: vectorFromArray(Int32Array.from(indices, (_, i) => i)), node: makeVector(node) });
}

const hash = (v: string) => {
  const b = new TextEncoder().encode(v);
  return hashBytes(b, 0, b.length);
};

describe('a bulk load into an empty domain', () => {
  it('gives strings of equal hash their own codes, and a repeated string one', () => {
    // Found by search: equal hashes, of equal lengths (a, b) and of different lengths (c, d).
    const [a, b, c, d] = ['id-35115', 'id-43429', 'id-3572', 'id-19100'];
    expect(hash(a)).toBe(hash(b));
    expect(hash(c)).toBe(hash(d));
    const entries = [a, 'a repeated string', b, a, 'a repeated string', c, d];
    const store = Store.create(s);
    try {
      store.write((tx) => tx.load('tasks', rowsOf(entries, [0, 1, 2, 3, 4, 5, 6, 2])));
      store.read((snap) => {
        expect(snap.domainSize('node')).toBe(5);
        expect([a, 'a repeated string', b, c, d].map((v) => snap.codeOf('node', v))).toEqual([0, 1, 2, 3, 4]);
        expect([0, 1, 2, 3, 4, 5, 6, 7].map((id) => snap.get('tasks', id)?.node)).toEqual([...entries, b]);
      });
    } finally {
      store.close();
    }
  });

  it('indexes every string of an index over 2^16 slots', () => {
    const n = 40_000;
    const entries = Array.from({ length: n }, (_, i) => `node-${i}`);
    const store = Store.create(s);
    try {
      const table = rowsOf(
        entries,
        Array.from(entries, (_, i) => i),
      );
      store.write((tx) => tx.load('tasks', table));
      store.read((snap) => {
        expect(snap.domainSize('node')).toBe(n);
        const wrong = entries.filter((v, i) => snap.codeOf('node', v) !== i);
        expect(wrong).toEqual([]);
        expect(snap.get('tasks', n - 1)).toEqual({ id: n - 1, node: `node-${n - 1}` });
      });
    } finally {
      store.close();
    }
  });
});
