/**
 * A bulk load into an empty domain (how a checkpoint loads into a fresh store) interns the strings
 * its rows name all at once: exactly those strings, each once however often the Arrow dictionary
 * repeats it, with codes in order of first appearance, and an index that later writes find them in.
 */
import { Dictionary, Int32, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('tasks', { id: int32(), node: dictionary('node', { nullable: true }) }, { key: 'id' }),
]);

/** A table of ids 0.. and a node column naming `entries[indices[i]]`, null where `indices[i]` < 0. */
function rowsOf(entries: string[], indices: number[]): Table {
  const valid = new Uint8Array(Math.ceil(indices.length / 8));
  indices.forEach((j, i) => {
    if (j >= 0) valid[i >> 3]! |= 1 << (i & 7);
  });
  const nulls = indices.filter((j) => j < 0).length;
  const node = makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length: indices.length,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? valid : null,
    // A null row's index still points somewhere: at the last entry, which no valid row may name.
    data: Int32Array.from(indices, (j) => (j < 0 ? entries.length - 1 : j)),
    dictionary: vectorFromArray(entries, new Utf8()),
  });
  return new Table({
    id: vectorFromArray(Int32Array.from(indices, (_, i) => i)),
    node: makeVector(node),
  });
}

describe('a bulk load into an empty domain', () => {
  it('interns each named string once, in order of first appearance, and nothing else', () => {
    const store = Store.create(s);
    // 'x' and 'y' twice in the dictionary, 'unused' named only by a null row.
    store.write((tx) => tx.load('tasks', rowsOf(['x', 'y', 'x', 'z', 'y', 'unused'], [2, 1, 0, 3, 4, -1])));
    store.read((snap) => {
      expect(snap.domainSize('node')).toBe(3);
      expect(['x', 'y', 'z', 'unused'].map((v) => snap.codeOf('node', v))).toEqual([0, 1, 2, -1]);
      expect([0, 1, 2, 3, 4, 5].map((id) => snap.get('tasks', id)?.node)).toEqual([
        'x',
        'y',
        'x',
        'z',
        'y',
        null,
      ]);
    });
    // Later writes find the loaded strings through the index, and add new ones after them.
    store.write((tx) => {
      tx.insert('tasks', { id: 6, node: 'z' });
      tx.insert('tasks', { id: 7, node: 'w' });
    });
    store.read((snap) => {
      expect(snap.domainSize('node')).toBe(4);
      expect(snap.codeOf('node', 'z')).toBe(2);
      expect(snap.codeOf('node', 'w')).toBe(3);
    });
    store.close();
  });

  it('gives the rows and domain that inserting them one by one gives, over several batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: -1, max: 1_000 }), { minLength: 1, maxLength: 2_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (entries, picks, cutAt) => {
          // The last entry is for null rows only.
          const usable = entries.length;
          const all = [...entries, '\u0000null'];
          const indices = picks.map((p) => (p < 0 ? -1 : p % usable));
          const loaded = Store.create(s);
          const inserted = Store.create(s);
          try {
            // In two record batches that share the dictionary, as an IPC file's batches do: the
            // second's rows may name strings the first's do not.
            const [whole] = rowsOf(all, indices).batches;
            const cut = Math.floor(cutAt * indices.length);
            loaded.write((tx) => tx.load('tasks', [whole!.slice(0, cut), whole!.slice(cut)]));
            inserted.write((tx) => {
              for (const [id, j] of indices.entries())
                tx.insert('tasks', { id, node: j < 0 ? null : all[j]! });
            });
            const view = (store: Store) =>
              store.read((snap) => ({
                size: snap.domainSize('node'),
                codes: all.map((v) => snap.codeOf('node', v)),
                rows: indices.map((_, id) => snap.get('tasks', id)?.node),
              }));
            expect(view(loaded)).toEqual(view(inserted));
          } finally {
            loaded.close();
            inserted.close();
          }
        },
      ),
      { numRuns: 60, seed: 8 },
    );
  });
});
