import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bool,
  dictionary,
  float64,
  int16,
  int64,
  list,
  type Row,
  Store,
  schema,
  struct,
  table,
  timestamp,
  utf8,
} from '../../src/index.js';

// tx.load against tx.insert: the same rows, loaded as Arrow batches cut at random places (so
// bitmaps start at any bit, in the batch and in the row group) after a random number of inserted
// rows (so the load starts anywhere in a partly filled group), give the same table.
const s = schema([
  table(
    't',
    {
      id: dictionary('id'),
      flag: bool({ nullable: true }),
      small: int16(),
      big: int64({ nullable: true }),
      x: float64({ nullable: true }),
      at: timestamp({ nullable: true }),
      tag: dictionary('tag', { width: 8, nullable: true }),
      text: utf8({ nullable: true }),
      tags: list(dictionary('tag', { width: 8 })),
      res: struct({ n: int16({ nullable: true }), who: dictionary('id', { nullable: true }) }),
    },
    { key: 'id' },
  ),
]);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 3 });
const rowArb = fc.record({
  flag: maybe(fc.boolean()),
  small: fc.integer({ min: -32768, max: 32767 }),
  big: maybe(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  x: maybe(fc.double({ noNaN: true })),
  at: maybe(fc.integer({ min: -1e12, max: 4e12 })),
  tag: maybe(fc.constantFrom('a', 'b', 'c', 'é', '')),
  text: maybe(fc.string({ maxLength: 12, unit: 'grapheme' })),
  tags: fc.array(fc.constantFrom('a', 'b', 'd'), { maxLength: 3 }),
  res: fc.record({
    n: maybe(fc.integer({ min: -5, max: 5 })),
    who: maybe(fc.constantFrom('id-1', 'id-2', 'x')),
  }),
});

const rows = (store: Store): Row[] =>
  store.read((snap) => Array.from({ length: snap.count('t') }, (_, i) => snap.getAt('t', i)));

describe('tx.load', () => {
  it('makes the same table as inserting the same rows, however the batches are cut', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 120 }),
        fc.nat({ max: 40 }),
        fc.array(fc.nat({ max: 120 }), { maxLength: 4 }),
        (values, before, cuts) => {
          const all = values.map((v, i) => ({ id: `id-${i}`, ...v }));
          const prefix = all.slice(0, Math.min(before, all.length));
          const rest = all.slice(prefix.length);
          const expected = Store.create(s, { rowGroupSize: 8 });
          expected.write((tx) => {
            for (const r of all) tx.insert('t', r);
          });
          // The rows to load, as the Arrow view of a store that holds them, cut into slices.
          const source = Store.create(s, { rowGroupSize: 16 });
          source.write((tx) => {
            for (const r of rest) tx.insert('t', r);
          });
          const arrow = source.read((snap) => snap.table('t'));
          const at = [...new Set([0, ...cuts.filter((c) => c < rest.length), rest.length])].sort(
            (a, b) => a - b,
          );
          const batches = at.slice(1).flatMap((end, k) => arrow.slice(at[k], end).batches);
          const loaded = Store.create(s, { rowGroupSize: 8 });
          loaded.write((tx) => {
            for (const r of prefix) tx.insert('t', r);
          });
          const held = loaded.snapshot();
          const heldRows = rows(loaded);
          loaded.write((tx) => {
            expect(tx.load('t', batches)).toBe(rest.length);
          });
          expect(rows(loaded)).toEqual(rows(expected));
          loaded.read((snap) => {
            for (const r of all) expect(snap.locate('t', r.id)).toBeGreaterThanOrEqual(0);
          });
          // The version pinned before the load still reads as it was.
          expect(Array.from({ length: held.count('t') }, (_, i) => held.getAt('t', i))).toEqual(heldRows);
          held.release();
          for (const store of [expected, source, loaded]) store.close();
        },
      ),
      { numRuns: 150, seed: Number(process.env.FC_SEED ?? 20261130) },
    );
  });
});
