/**
 * A bulk load whose dictionary names only strings the domain already holds still grows the
 * domain's blocks first (room for the dictionary's length), and those new blocks must be published:
 * otherwise the root keeps naming the old blocks, which the commit retires and a later reclamation
 * frees under it. Found loading tasks whose node ids were all known: the freed node-id blocks were
 * reused for other tables' chunks, and reads returned garbage.
 */
import { Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('nodes', { node_id: dictionary('node'), n: int32() }, { key: 'node_id' }),
  table('tasks', { id: int32(), node: dictionary('node') }, { key: 'id' }),
]);

describe('a bulk load of known strings that grows the domain', () => {
  it('leaves every string readable after the replaced blocks are reclaimed', () => {
    // Debug poisons freed blocks: a block freed while the root names it reads as 0xDB bytes.
    const store = Store.create(s, { debug: true });
    const ids = Array.from({ length: 3_000 }, (_, i) => `node-${i}`);
    store.write((tx) => {
      for (const [n, node_id] of ids.entries()) tx.insert('nodes', { node_id, n });
    });
    // A dictionary as long as the domain: its reserve must grow the offsets, bytes and hash index.
    const rows = new Table({
      id: vectorFromArray(Int32Array.from(ids, (_, i) => i)),
      node: vectorFromArray(ids),
    });
    store.write((tx) => tx.load('tasks', rows));
    store.write((tx) => tx.insert('tasks', { id: 1_000_000, node: 'node-7' }));
    store.reclaim();
    store.read((snap) => {
      expect(snap.domainSize('node')).toBe(ids.length);
      for (const i of [0, 7, 1_500, 2_999]) {
        expect(snap.codeOf('node', ids[i]!)).toBe(i);
        expect(snap.get('nodes', ids[i]!)).toEqual({ node_id: ids[i], n: i });
        expect(snap.get('tasks', i)).toEqual({ id: i, node: ids[i] });
      }
    });
    // Nothing the replaced blocks held leaks either: a new string still lands after the others.
    store.write((tx) => tx.insert('nodes', { node_id: 'node-new', n: -1 }));
    store.read((snap) => expect(snap.codeOf('node', 'node-new')).toBe(ids.length));
    store.close();
  });
});
