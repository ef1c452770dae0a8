import { describe, expect, it } from 'vitest';
import { dictionary, int32, list, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' }),
  table(
    'tasks',
    { id: dictionary('task'), node: dictionary('node', { nullable: true }), peers: list(dictionary('node')) },
    { key: 'id' },
  ),
]);

describe('dictionary domain compaction', () => {
  it('drops deleted ids from every snapshot taken after it, and rewrites every column of the domain', () => {
    const store = Store.create(s, { rowGroupSize: 64, compactMinStrings: 16, debug: true });
    store.write((tx) => {
      for (let i = 0; i < 100; i++) tx.insert('nodes', { id: `n${i}`, n: i });
      for (let i = 0; i < 30; i++)
        tx.insert('tasks', {
          id: `t${i}`,
          node: i % 3 === 0 ? null : `n${i * 3}`,
          peers: [`n${i}`, `n${99 - i}`],
        });
    });
    const before = store.snapshot();
    const v = store.write((tx) => {
      for (let i = 0; i < 100; i += 2) tx.delete('nodes', `n${i}`);
    });
    // Not yet: tasks still name many even nodes, so fewer than half the strings are dead.
    expect(store.version).toBe(v);
    store.write((tx) => {
      for (let i = 0; i < 30; i++)
        tx.update('tasks', `t${i}`, { node: null, peers: [`n${(2 * i + 1) % 100}`] });
    });
    const after = store.snapshot();
    expect(after.version).toBe(v + 2);
    // Only the odd nodes are referenced now: by the nodes table, and the peers of tasks.
    expect(after.domainSize('node')).toBe(50);
    expect(after.codeOf('node', 'n2')).toBe(-1);
    expect(after.get('nodes', 'n2')).toBeNull();
    for (let i = 1; i < 100; i += 2) expect(after.get('nodes', `n${i}`)).toEqual({ id: `n${i}`, n: i });
    for (let i = 0; i < 30; i++) {
      expect(after.get('tasks', `t${i}`)).toEqual({
        id: `t${i}`,
        node: null,
        peers: [`n${(2 * i + 1) % 100}`],
      });
    }
    expect(after.table('tasks').getChild('peers')!.get(4)!.toArray()).toEqual(['n9']);
    // The snapshot pinned before still reads its version, strings and codes included.
    store.reclaim();
    expect(before.domainSize('node')).toBe(100);
    expect(before.get('nodes', 'n2')).toEqual({ id: 'n2', n: 2 });
    expect(before.get('tasks', 't4')).toEqual({ id: 't4', node: 'n12', peers: ['n4', 'n95'] });
    before.release();
    after.release();
    store.close();
  });

  it.each([0.25, 0.75])(
    'compacts once a compactDeadFraction of %d of the strings is dead, not before',
    (fraction) => {
      const STRINGS = 100;
      const store = Store.create(s, { compactMinStrings: 16, compactDeadFraction: fraction, debug: true });
      store.write((tx) => {
        for (let i = 0; i < STRINGS; i++) tx.insert('nodes', { id: `n${i}`, n: i });
      });
      const dead = Math.ceil(STRINGS * fraction);
      const read = () => store.read((r) => ({ size: r.domainSize('node'), n0: r.codeOf('node', 'n0') }));
      for (let k = 0; k < dead - 1; k++) {
        const v = store.write((tx) => tx.delete('nodes', `n${k}`));
        // One version per write: no compaction yet, and deleted ids keep their codes.
        expect(store.version).toBe(v);
        expect(read()).toEqual({ size: STRINGS, n0: 0 });
      }
      const v = store.write((tx) => tx.delete('nodes', `n${dead - 1}`));
      // The write that made the fraction dead is followed by the compaction's own version.
      expect(store.version).toBe(v + 1);
      expect(read()).toEqual({ size: STRINGS - dead, n0: -1 });
      store.read((r) => {
        expect(r.count('nodes')).toBe(STRINGS - dead);
        for (let i = dead; i < STRINGS; i++) expect(r.get('nodes', `n${i}`)).toEqual({ id: `n${i}`, n: i });
      });
      store.close();
    },
  );
});
