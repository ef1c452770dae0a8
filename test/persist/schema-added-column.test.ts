import { afterEach, expect, it } from 'vitest';
import { dictionary, float64, int32, int64, Store, schema, struct, table, utf8 } from '../../src/index.js';
import { restoreCheckpoint, writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const v1 = schema([
  table(
    'nodes',
    { id: dictionary('node'), cpu: int32(), res: struct({ mem: int64() }) },
    { key: 'id', rowGroupSize: 8 },
  ),
]);
// Version 2 adds nullable columns (at the end and in between), a nullable struct child, and
// changes the row-group size, which is a storage setting.
const v2 = schema([
  table(
    'nodes',
    {
      id: dictionary('node'),
      zone: dictionary('zone', { nullable: true }),
      cpu: int32(),
      res: struct({ mem: int64(), disk: int64({ nullable: true }) }),
      note: utf8({ nullable: true }),
      load: float64({ nullable: true }),
    },
    { key: 'id', rowGroupSize: 16 },
  ),
]);

let dir = '';
afterEach(() => cleanup(dir));

it.each(['feather', 'parquet'] as const)(
  'a %s checkpoint loads into a schema with added nullable columns',
  (format) => {
    dir = tempFolder();
    const store = Store.create(v1);
    store.write((tx) => {
      for (let i = 0; i < 20; i++) tx.insert('nodes', { id: `n${i}`, cpu: i, res: { mem: BigInt(i) } });
    });
    store.read((snap) => writeCheckpoint(dir, snap, { format }));
    const restored = restoreCheckpoint(dir, v2)!;
    restored.store.read((snap) => {
      expect(snap.count('nodes')).toBe(20);
      expect(snap.getAt('nodes', 7)).toEqual({
        id: 'n7',
        zone: null,
        cpu: 7,
        res: { mem: 7n, disk: null },
        note: null,
        load: null,
      });
    });
    // The new columns take values as usual afterwards.
    restored.store.write((tx) => tx.update('nodes', 'n7', { zone: 'eu', note: 'x' }));
    expect(restored.store.read((snap) => snap.get('nodes', 'n7', ['zone', 'note']))).toEqual({
      zone: 'eu',
      note: 'x',
    });
    restored.store.close();
    store.close();
  },
);
