import { afterEach, describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table, utf8 } from '../../src/index.js';
import { restoreCheckpoint, writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([
  table('jobs', { id: dictionary('job'), n: int32(), note: utf8() }, { key: 'id', rowGroupSize: 8 }),
]);

// A delete moves the table's last row into the hole: the checkpoint keeps positions as they are
// (WAL records after it name rows by position), not insertion or key order.
describe.each(['feather', 'parquet'] as const)('a %s checkpoint', (format) => {
  let dir = '';
  afterEach(() => cleanup(dir));

  it('keeps rows in storage order after deletes', () => {
    dir = tempFolder();
    const store = Store.create(s);
    store.write((tx) => {
      for (let i = 0; i < 40; i++) tx.insert('jobs', { id: `job-${i}`, n: i, note: `#${i}` });
    });
    store.write((tx) => {
      tx.delete('jobs', 'job-3');
      tx.delete('jobs', 'job-10');
      tx.deleteAt('jobs', 0);
    });
    const order = store.read((snap) =>
      Array.from({ length: snap.count('jobs') }, (_, i) => snap.getAt('jobs', i).n),
    );
    expect(order.slice(0, 4)).toEqual([37, 1, 2, 39]);
    store.read((snap) => writeCheckpoint(dir, snap, { format }));

    const restored = restoreCheckpoint(dir, s)!;
    restored.store.read((snap) => {
      expect(Array.from({ length: snap.count('jobs') }, (_, i) => snap.getAt('jobs', i).n)).toEqual(order);
      expect(snap.locate('jobs', 'job-39')).toBe(3);
      expect(snap.get('jobs', 'job-3')).toBeNull();
    });
    // A position-addressed write after recovery hits the same row it would have hit before.
    restored.store.write((tx) => tx.updateAt('jobs', 3, { n: -1 }));
    expect(restored.store.read((snap) => snap.get('jobs', 'job-39')!.n)).toBe(-1);
    restored.store.close();
    store.close();
  });
});
