/**
 * Bulk loading a string column finds the strings its dictionary domain already holds, the one
 * with code 0 included, and interns only the new ones.
 */
import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('nodes', { node_id: dictionary('node'), n: int32() }, { key: 'node_id' }),
  table('tasks', { id: int32(), node: dictionary('node') }, { key: 'id' }),
]);

describe('a bulk load of known strings', () => {
  it.each([
    ['Utf8', (v: string[]) => vectorFromArray(v, new Utf8())],
    ['a Utf8 dictionary', (v: string[]) => vectorFromArray(v)],
  ])('from %s reuses their codes', (_, vector) => {
    const store = Store.create(s);
    store.write((tx) => {
      tx.insert('nodes', { node_id: 'a', n: 1 });
      tx.insert('nodes', { node_id: 'b', n: 2 });
    });
    const rows = new Table({
      id: vectorFromArray(Int32Array.from([1, 2, 3, 4])),
      node: vector(['a', 'b', 'c', 'a']),
    });
    store.write((tx) => tx.load('tasks', rows));
    store.read((snap) => {
      expect(snap.domainSize('node')).toBe(3);
      expect([snap.codeOf('node', 'a'), snap.codeOf('node', 'b'), snap.codeOf('node', 'c')]).toEqual([
        0, 1, 2,
      ]);
      expect(snap.get('tasks', 4)).toEqual({ id: 4, node: 'a' });
      expect(snap.chunks('tasks', 'node')[0]!.values.subarray(0, 4)).toEqual(Int32Array.from([0, 1, 2, 0]));
    });
    store.close();
  });
});
