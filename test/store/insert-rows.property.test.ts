import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bool,
  decodeBatch,
  dictionary,
  encodeBatch,
  float64,
  int16,
  int32,
  int64,
  list,
  type Row,
  type RowInput,
  StateError,
  Store,
  schema,
  struct,
  table,
  timestamp,
  utf8,
} from '../../src/index.js';

// tx.insertRows against tx.insert, row by row: from the same store, the same rows give the same
// table, or the same first error (code, message, details) and no change at all. Its record, applied
// to the store as it was (also through the batch codec), gives the same table.
const s = schema([
  table(
    't',
    {
      id: dictionary('id'),
      flag: bool({ nullable: true }),
      small: int16(),
      big: int64({ nullable: true }),
      count: int64({ mode: 'number', nullable: true }),
      x: float64({ nullable: true }),
      at: timestamp({ nullable: true }),
      // 8-bit codes: the store is filled close to their limit, so that new tags can run past it.
      tag: dictionary('tag', { width: 8, nullable: true }),
      cat: dictionary('cat', { nullable: true }),
      text: utf8({ nullable: true }),
      tags: list(dictionary('tag', { width: 8 })),
      links: list(dictionary('id')),
      res: struct({ n: int16({ nullable: true }), who: dictionary('id', { nullable: true }) }),
    },
    { key: 'id' },
  ),
]);
const MAX_STRING = 24;

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 3 });
const goodRow = fc.record({
  id: fc.oneof(fc.constantFrom('id-1', 'id-2', 'ïd-3', 'pre-0', 'pre-5'), fc.string({ maxLength: 6 })),
  flag: maybe(fc.boolean()),
  small: fc.integer({ min: -32768, max: 32767 }),
  big: maybe(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  count: maybe(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 })),
  x: maybe(fc.double()),
  at: maybe(fc.integer({ min: -1e12, max: 4e12 })),
  tag: maybe(fc.constantFrom('a', 'b', 'c', 'é', '', 'fill-3')),
  cat: maybe(fc.constantFrom('x', 'y', 'zé')),
  text: maybe(fc.string({ maxLength: 12, unit: 'grapheme' })),
  tags: fc.array(fc.constantFrom('a', 'b', 'd', 'fill-1'), { maxLength: 3 }),
  links: fc.array(fc.constantFrom('id-1', 'l-1', 'l-2', 'ü'), { maxLength: 3 }),
  res: fc.record({
    n: maybe(fc.integer({ min: -5, max: 5 })),
    who: maybe(fc.constantFrom('id-1', 'id-2', 'w')),
  }),
});

/** A row made bad in one way, or left good (most of the time). */
const row: fc.Arbitrary<unknown> = fc.tuple(goodRow, fc.nat({ max: 60 })).map(([r, bad]) => {
  const out: Record<string, unknown> = { ...r };
  switch (bad) {
    case 0:
      out.small = 'seven';
      break;
    case 1:
      out.small = 40_000;
      break;
    case 2:
      out.small = null;
      break;
    case 3:
      out.nope = 1;
      break;
    case 4:
      out.text = 'x'.repeat(MAX_STRING + 1);
      break;
    case 5:
      out.big = 1.5;
      break;
    case 6:
      out.res = { n: 1, extra: 2 };
      break;
    case 7:
      return 'not a row';
    case 8:
      out.tags = ['a', 7];
      break;
    case 9:
      delete out.id;
      break;
    case 10:
      out.count = 2 ** 60;
      break;
    // Good rows that are read the long way: keys in another order, a key or field left undefined.
    case 11:
      return Object.fromEntries(Object.entries(out).reverse());
    case 12:
      out.x = undefined;
      break;
    case 13:
      out.res = { n: undefined, who: 'w' };
      break;
    case 14:
      out.res = null;
      break;
  }
  return out;
});

/** A store whose table holds `fill` rows, whose tags use `tags` of the 128 8-bit codes. */
function filled(fill: number, tags: number): Store {
  const store = Store.create(s, { rowGroupSize: 8, maxStringBytes: MAX_STRING });
  store.write((tx) => {
    for (let i = 0; i < fill; i++) {
      tx.insert('t', { id: `pre-${i}`, small: i, tags: [], links: [], res: {}, tag: `fill-${i % tags}` });
    }
    for (let i = fill; i < tags; i++)
      tx.insert('t', { id: `pre-${i}`, small: i, tags: [], links: [], res: {}, tag: `fill-${i}` });
  });
  return store;
}

/** Every string the rows give a dictionary column, with its domain. */
function stringsOf(rows: readonly unknown[]): [string, string][] {
  const out: [string, string][] = [];
  for (const r of rows as Record<string, unknown>[]) {
    if (typeof r !== 'object' || r === null) continue;
    const res = r.res as { who?: unknown } | undefined;
    for (const [domain, v] of [
      ['id', r.id],
      ['tag', r.tag],
      ['cat', r.cat],
      ['id', res?.who],
      ...((Array.isArray(r.tags) ? r.tags : []) as unknown[]).map((x) => ['tag', x]),
      ...((Array.isArray(r.links) ? r.links : []) as unknown[]).map((x) => ['id', x]),
    ] as [string, unknown][]) {
      if (typeof v === 'string') out.push([domain, v]);
    }
  }
  return out;
}

const rowsOf = (store: Store): Row[] =>
  store.read((snap) => Array.from({ length: snap.count('t') }, (_, i) => snap.getAt('t', i)));

/** What a write did: its error's code, message and details, or 'ok'. */
function outcome(f: () => void): unknown {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
}

describe('tx.insertRows', () => {
  it('does what inserting its rows one by one does, or fails with the same error and changes nothing', () => {
    const seen = { ok: 0, failed: new Set<string>() };
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 60 }),
        fc.nat({ max: 20 }),
        fc.integer({ min: 118, max: 127 }),
        (rows, fill, tags) => {
          const expected = filled(fill, tags);
          const actual = filled(fill, tags);
          const before = rowsOf(actual);
          const want = outcome(() =>
            expected.write((tx) => {
              for (const r of rows) tx.insert('t', r as RowInput);
            }),
          );
          let record: unknown = null;
          const got = outcome(() =>
            actual.write((tx) => {
              expect(tx.insertRows('t', rows as RowInput[])).toBe(rows.length);
              record = tx.batch;
            }),
          );
          expect(got).toEqual(want);
          expect(rowsOf(actual)).toEqual(rowsOf(expected));
          if (want !== 'ok') {
            seen.failed.add((want as { code: string }).code);
            expect(rowsOf(actual)).toEqual(before);
            // A failed call inside a transaction that goes on: it interned nothing, wrote nothing.
            actual.write((tx) => {
              expect(() => tx.insertRows('t', rows as RowInput[])).toThrow(StateError);
              for (const [domain, value] of stringsOf(rows)) {
                if (expected.read((snap) => snap.codeOf(domain, value)) < 0) {
                  expect(tx.codeOf(domain, value)).toBe(-1);
                }
              }
              tx.insert('t', { id: 'after', small: 1, tags: ['a'], links: [], res: {} });
            });
            expect(rowsOf(actual)).toEqual([...before, expect.objectContaining({ id: 'after' })]);
            return;
          }
          seen.ok++;
          for (const batch of [record, decodeBatch(encodeBatch(record as never)).batch]) {
            const replay = filled(fill, tags);
            replay.apply(batch as never);
            expect(rowsOf(replay)).toEqual(rowsOf(expected));
          }
        },
      ),
      { numRuns: 300, seed: 20261130 },
    );
    // The runs reached both outcomes and every kind of failure the rows can have.
    expect(seen.ok).toBeGreaterThan(30);
    expect([...seen.failed].sort()).toEqual(
      [
        'DUPLICATE_KEY',
        'NULL_NOT_ALLOWED',
        'OUT_OF_RANGE',
        'STRING_TOO_LONG',
        'TYPE_MISMATCH',
        'UNKNOWN_COLUMN',
      ].sort(),
    );
  });

  it('inserts into a table without a key, and one with an integer key', () => {
    const s2 = schema([
      table('log', { at: timestamp(), what: dictionary('what', { width: 8 }), n: int64({ nullable: true }) }),
      table('ids', { id: int32(), tag: dictionary('tag', { nullable: true }) }, { key: 'id' }),
    ]);
    const log = Array.from({ length: 50 }, (_, i) => ({
      at: i * 1000,
      what: `w${i % 3}`,
      n: i % 4 === 0 ? null : BigInt(i),
    }));
    const ids = Array.from({ length: 50 }, (_, i) => ({ id: i * 7, tag: i % 2 === 0 ? null : `t${i}` }));
    const one = Store.create(s2, { rowGroupSize: 8 });
    const many = Store.create(s2, { rowGroupSize: 8 });
    one.write((tx) => {
      for (const r of log) tx.insert('log', r);
      for (const r of ids) tx.insert('ids', r);
    });
    many.write((tx) => {
      tx.insertRows('log', log);
      tx.insertRows('ids', ids);
    });
    for (const name of ['log', 'ids']) {
      const all = (st: Store) =>
        st.read((snap) => Array.from({ length: snap.count(name) }, (_, i) => snap.getAt(name, i)));
      expect(all(many)).toEqual(all(one));
    }
    expect(() => many.write((tx) => tx.insertRows('ids', [{ id: 1 }, { id: 14 }]))).toThrow(
      /ids already has a row with key 14/,
    );
    expect(() => many.write((tx) => tx.insertRows('ids', [{ id: 1 }, { id: 1 }]))).toThrow(
      /ids already has a row with key 1$/,
    );
    expect(() => many.write((tx) => tx.insertRows('ids', [{ id: -1 }]))).toThrow(/keys are ids in/);
  });

  it('forgets the strings of a failed call even after they grew the hash index', () => {
    const store = filled(3, 120);
    store.write((tx) => {
      const rows: RowInput[] = Array.from({ length: 300 }, (_, i) => ({
        id: `new-${i}`,
        small: i,
        tags: [],
        links: [`link-${i}`],
        res: { who: `who-${i}` },
      }));
      rows.push({ ...rows[0]!, id: 'pre-1' });
      expect(() => tx.insertRows('t', rows)).toThrow(/already has a row with key "pre-1"/);
      for (let i = 0; i < 300; i += 37) {
        for (const s of [`new-${i}`, `link-${i}`, `who-${i}`]) expect(tx.codeOf('id', s)).toBe(-1);
      }
      // The strings from before are still found, by the rebuilt index and by a row's key.
      for (let i = 0; i < 120; i++) expect(tx.codeOf('id', `pre-${i}`)).toBeGreaterThanOrEqual(0);
      expect(tx.get('t', 'pre-7')).toMatchObject({ small: 7 });
      tx.insertRows('t', rows.slice(0, 300));
    });
    expect(store.read((snap) => snap.count('t'))).toBe(420);
    expect(store.read((snap) => snap.get('t', 'new-299'))).toMatchObject({ links: ['link-299'] });
  });
});
