/**
 * A compaction that keeps more than its blocks' minimum sizes (over 256 strings, over 4 KiB of
 * UTF-8, the first string alone longer than that) sizes its new offsets and bytes blocks for what
 * it keeps: a snapshot of the compacted version reads every kept string whole after later writes
 * filled the arena around those blocks, and strings interned afterwards land after them intact.
 */
import { describe, expect, it } from 'vitest';
import { dictionary, int32, type Snapshot, Store, schema, table } from '../../src/index.js';

const s = schema([table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' })]);

/** Node 0's id is 20,000 bytes long; the others short, of varied lengths. */
const id = (i: number) => (i === 0 ? 'big-'.repeat(5000) : `node-${i}-${'x'.repeat(i % 17)}`);

function expectNodes(snap: Snapshot, nodes: number[], n: (i: number) => number): void {
  expect(snap.domainSize('node')).toBe(nodes.length);
  for (const i of nodes) expect(snap.get('nodes', id(i))).toEqual({ id: id(i), n: n(i) });
  expect(nodes.map((i) => snap.codeOf('node', id(i)))).toEqual(nodes.map((_, k) => k));
  const column = snap.table('nodes').getChild('id')!.toArray() as string[];
  expect(column.slice().sort()).toEqual(nodes.map(id).sort());
}

describe('a compaction that keeps many strings', () => {
  it('keeps each of them whole, and the domain grows on after it', () => {
    const store = Store.create(s, { compactMinStrings: 16, compactDeadFraction: 0.25, debug: true });
    try {
      store.write((tx) => {
        for (let i = 0; i < 1200; i++) tx.insert('nodes', { id: id(i), n: i });
      });
      const v = store.version;
      store.write((tx) => {
        for (let i = 2; i < 1200; i += 2) tx.delete('nodes', id(i));
      });
      // The delete and the compaction it started.
      expect(store.version).toBe(v + 2);
      const kept = [0];
      for (let i = 1; i < 1200; i += 2) kept.push(i);
      const compacted = store.snapshot();
      // Writes that allocate around the compaction's blocks: every row's chunk copied, then more.
      store.write((tx) => {
        for (const i of kept) tx.update('nodes', id(i), { n: 10_000 + i });
      });
      store.write((tx) => {
        for (let i = 1200; i < 1300; i++) tx.insert('nodes', { id: id(i), n: 10_000 + i });
      });
      store.reclaim();
      expectNodes(compacted, kept, (i) => i);
      const all = [...kept];
      for (let i = 1200; i < 1300; i++) all.push(i);
      store.read((snap) => expectNodes(snap, all, (i) => 10_000 + i));
      compacted.release();
    } finally {
      store.close();
    }
  });
});
