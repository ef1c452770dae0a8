import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  dictionary,
  float64,
  int32,
  int64,
  type StateError,
  Store,
  schema,
  struct,
  table,
} from '../../src/index.js';

const nodes = schema([
  table(
    'nodes',
    {
      node_id: dictionary('node'),
      resources: struct({ cpu: int32(), mem: int64({ nullable: true }), load: float64() }),
      weight: int32(),
    },
    { key: 'node_id' },
  ),
]);

function load() {
  const store = Store.create(nodes, { rowGroupSize: 8 });
  store.write((tx) => {
    for (let i = 0; i < 12; i++) {
      tx.insert('nodes', {
        node_id: `n${i}`,
        resources: { cpu: i, mem: i % 2 ? null : i * 1000, load: i / 10 },
        weight: i,
      });
    }
  });
  return store;
}

describe('struct columns', () => {
  it('read and write as nested objects, with partial updates of their fields', () => {
    const store = load();
    store.write((tx) => tx.update('nodes', 'n3', { resources: { cpu: 64 } }));
    store.read((s) => {
      expect(s.get('nodes', 'n3')).toEqual({
        node_id: 'n3',
        resources: { cpu: 64, mem: null, load: 0.3 },
        weight: 3,
      });
      expect(s.get('nodes', 'n4', ['resources'])).toEqual({ resources: { cpu: 4, mem: 4000n, load: 0.4 } });
      expect(s.get('nodes', 'n4', ['resources.cpu', 'weight'])).toEqual({ resources: { cpu: 4 }, weight: 4 });
    });
    store.close();
  });

  it('appear in Arrow views as struct vectors and survive an IPC file', () => {
    const store = load();
    store.read((s) => {
      const view = s.table('nodes');
      expect(view.schema.fields.map((f) => String(f.type))).toEqual([
        'Dictionary<Int32, Utf8>',
        'Struct<{cpu:Int32, mem:Int64, load:Float64}>',
        'Int32',
      ]);
      const back = tableFromIPC(tableToIPC(view, 'file'));
      for (let i = 0; i < 12; i++) {
        const row = s.getAt('nodes', i);
        expect(back.getChild('resources')!.get(i)!.toJSON()).toEqual(row.resources);
      }
    });
    store.close();
  });

  it('reject unknown fields, non-objects and missing non-null fields, leaving the store as it was', () => {
    const store = load();
    const version = store.version;
    const attempts: [string, () => void][] = [
      ['UNKNOWN_COLUMN', () => store.write((tx) => tx.update('nodes', 'n1', { resources: { bogus: 1 } }))],
      ['TYPE_MISMATCH', () => store.write((tx) => tx.update('nodes', 'n1', { resources: 5 }))],
      ['NULL_NOT_ALLOWED', () => store.write((tx) => tx.insert('nodes', { node_id: 'z', weight: 1 }))],
    ];
    for (const [code, attempt] of attempts) {
      let error: StateError | undefined;
      try {
        attempt();
      } catch (err) {
        error = err as StateError;
      }
      expect(error?.code).toBe(code);
      expect(error?.message).toMatch(/nodes\.resources|resources\.bogus" of table nodes/);
    }
    expect(store.version).toBe(version);
    store.close();
  });
});
