import { describe, expect, it } from 'vitest';
import {
  batch,
  dictionary,
  int32,
  list,
  type Snapshot,
  type StateError,
  Store,
  schema,
  struct,
  type Transaction,
  table,
  utf8,
} from '../../src/index.js';

const s = schema([
  table(
    'nodes',
    {
      id: dictionary('node'),
      n: int32(),
      note: utf8({ nullable: true }),
      tags: list(dictionary('tag')),
      res: struct({ cpu: int32(), mem: int32() }),
    },
    { key: 'id' },
  ),
  table('jobs', { id: int32(), node: dictionary('node', { nullable: true }) }, { key: 'id' }),
]);

/** Every row of every table in position order, and each domain's strings in code order. */
function dump(snap: Snapshot) {
  return {
    version: snap.version,
    nodes: Array.from({ length: snap.count('nodes') }, (_, i) => snap.getAt('nodes', i)),
    jobs: Array.from({ length: snap.count('jobs') }, (_, i) => snap.getAt('jobs', i)),
    node: Array.from({ length: snap.domainSize('node') }, (_, c) => snap.stringOf('node', c)),
    tag: Array.from({ length: snap.domainSize('tag') }, (_, c) => snap.stringOf('tag', c)),
  };
}

/** The same writes for both stores; `inside` runs in the middle of each transaction. */
function writes(store: Store, inside: (tx: Transaction) => void): void {
  store.write((tx) => {
    for (let i = 0; i < 20; i++) {
      tx.insert('nodes', {
        id: `n${i}`,
        n: i,
        note: i % 3 === 0 ? null : `note ${i}`,
        tags: i % 2 === 0 ? ['gpu'] : ['cpu', 'ssd'],
        res: { cpu: i, mem: 2 * i },
      });
    }
    inside(tx);
    for (let j = 0; j < 10; j++) tx.insert('jobs', { id: j, node: j % 4 === 0 ? null : `n${j}` });
  });
  store.write((tx) => {
    tx.update('nodes', 'n3', { n: 33, tags: ['fpga'] });
    inside(tx);
    tx.delete('nodes', 'n0');
    tx.deleteAt('jobs', 2);
    tx.updateAt('nodes', 4, { res: { cpu: 7 } });
  });
  store.apply(
    batch()
      .require('nodes', 'n5', { exists: true })
      .increment('nodes', 'n5', 'n', 100)
      .listAdd('nodes', 'n5', 'tags', 'new-tag')
      .upsert('jobs', { id: 42, node: 'n7' })
      .build(),
  );
}

describe('recordEffects: false', () => {
  it('writes the same data as a recording store, and refuses tx.batch with INVALID_OPTION', () => {
    const recording = Store.create(s, { rowGroupSize: 8 });
    const silent = Store.create(s, { rowGroupSize: 8, recordEffects: false });
    try {
      const recorded: number[] = [];
      writes(recording, (tx) => recorded.push(tx.batch.effects.length));
      const refused: (string | undefined)[] = [];
      writes(silent, (tx) => {
        try {
          void tx.batch;
          refused.push(undefined);
        } catch (err) {
          refused.push((err as StateError).code);
        }
      });
      // The recording store did record; the other refused each time and its writes went on.
      expect(recorded).toEqual([20, 1]);
      expect(refused).toEqual(['INVALID_OPTION', 'INVALID_OPTION']);
      const expected = recording.read(dump);
      expect(silent.read(dump)).toEqual(expected);
      expect(expected.nodes.find((r) => r.id === 'n5')).toMatchObject({
        n: 105,
        tags: ['cpu', 'ssd', 'new-tag'],
      });
      expect(expected.jobs).toContainEqual({ id: 42, node: 'n7' });
    } finally {
      recording.close();
      silent.close();
    }
  });
});
