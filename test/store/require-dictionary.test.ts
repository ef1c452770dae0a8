/**
 * Preconditions and list effects read dictionary cells as strings, in the store's first domain
 * (index 0) too, and read a null dictionary cell as null: `require` compares the string (or null)
 * the row holds, inside the transaction that wrote it as well as after.
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, list, Store, schema, table } from '../../src/index.js';

// `node` is the schema's first domain: index 0.
const s = schema([
  table(
    'tasks',
    { id: int32(), node: dictionary('node', { nullable: true }), peers: list(dictionary('node')) },
    { key: 'id' },
  ),
]);

describe('a precondition on a dictionary column', () => {
  it('compares the string or null the row holds', () => {
    const store = Store.create(s);
    try {
      store.write((tx) => {
        tx.insert('tasks', { id: 1, node: 'n1', peers: ['n2'] });
        tx.insert('tasks', { id: 2, node: null, peers: [] });
        // Inside the writing transaction: codes this transaction interned.
        tx.require('tasks', 1, { column: 'node', equals: 'n1' });
        tx.require('tasks', 2, { column: 'node', equals: null });
      });
      store.write((tx) => {
        tx.require('tasks', 1, { column: 'node', equals: 'n1' });
        tx.require('tasks', 1, { column: 'node', in: ['n0', 'n1'] });
        tx.require('tasks', 1, { column: 'node', notEquals: null });
        tx.require('tasks', 2, { column: 'node', equals: null });
        tx.require('tasks', 2, { column: 'node', notEquals: 'n1' });
        tx.listAdd('tasks', 1, 'peers', 'n1');
        tx.listRemove('tasks', 1, 'peers', 'n2');
      });
      expect(() => store.write((tx) => tx.require('tasks', 1, { column: 'node', equals: 'n2' }))).toThrow(
        expect.objectContaining({ code: 'PRECONDITION_FAILED' }),
      );
      expect(() => store.write((tx) => tx.require('tasks', 2, { column: 'node', notEquals: null }))).toThrow(
        expect.objectContaining({ code: 'PRECONDITION_FAILED' }),
      );
      expect(store.read((snap) => snap.get('tasks', 1))).toEqual({ id: 1, node: 'n1', peers: ['n1'] });
    } finally {
      store.close();
    }
  });
});
