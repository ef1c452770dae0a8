/**
 * A string that an aborted write interned and read back must not stay in the owner's cache of
 * decoded strings: its code goes to the next new string, and every read of that code, in the
 * writer and in snapshots, must give the new string.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('nodes', { node_id: dictionary('node'), n: int32() }, { key: 'node_id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

describe('an aborted write that read back a string it interned', () => {
  it('leaves no decoded copy behind for the code that the next string takes', () => {
    const store = Store.create(s);
    open.push(store);
    store.write((tx) => tx.insert('nodes', { node_id: 'a', n: 1 }));
    expect(() =>
      store.write((tx) => {
        tx.insert('nodes', { node_id: 'ghost', n: 2 });
        // Reading the row decodes the new, uncommitted code.
        expect(tx.get('nodes', 'ghost')).toEqual({ node_id: 'ghost', n: 2 });
        throw new Error('abort');
      }),
    ).toThrowError('abort');
    store.write((tx) => {
      tx.insert('nodes', { node_id: 'real', n: 3 });
      expect(tx.codeOf('node', 'real')).toBe(1);
      expect(tx.get('nodes', 'real')).toEqual({ node_id: 'real', n: 3 });
    });
    store.read((snap) => {
      expect(snap.get('nodes', 'real')).toEqual({ node_id: 'real', n: 3 });
      expect(snap.table('nodes').getChild('node_id')?.toArray()).toEqual(['a', 'real']);
    });
  });
});
