/**
 * An insert reads a row whose keys come in the order it last checked in one for-in walk
 * (RowReader), and only otherwise checks and reads the row by name (readNamed). Whenever the walk
 * accepts a row, the long way must accept it too and read the same values; and a store must give
 * the same error for a bad row whatever order of keys it saw before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int32, type RowInput, Store, schema, struct, table, utf8 } from '../../src/index.js';
import { compileLayout } from '../../src/store/layout.js';
import { RowReader } from '../../src/store/write/row-reader.js';
import { readNamed } from '../../src/store/write/rows.js';

const s = schema([
  table(
    't',
    {
      id: int32(),
      a: int32({ nullable: true }),
      r: struct({ x: int32(), y: int32({ nullable: true }) }),
      b: utf8({ nullable: true }),
    },
    { key: 'id' },
  ),
]);
const layout = compileLayout(s, 64).tables[0]!;

/** Known names, a "struct.child" column name (known, but not a field), and unknown ones. */
const topNames = ['id', 'a', 'r', 'b', 'r.x', 'zzz'] as const;
const structNames = ['x', 'y', 'z'] as const;

const value = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
);
const structValue = fc.oneof(
  { weight: 6, arbitrary: fc.uniqueArray(fc.constantFrom(...structNames), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 5, [1], new Date(0)) },
);
/** A row as its key order and its values: `r`'s value is itself a key order or an odd value. */
const rowArb = fc
  .record({
    keys: fc.uniqueArray(fc.constantFrom(...topNames), { minLength: 1, maxLength: topNames.length }),
    values: fc.array(value, { minLength: 8, maxLength: 8 }),
    r: structValue,
  })
  .map(({ keys, values, r }) => {
    const row: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      if (k !== 'r') row[k] = values[i];
      else if (Array.isArray(r) && typeof r[0] !== 'number') {
        const fields: Record<string, unknown> = {};
        (r as string[]).forEach((f, j) => {
          fields[f] = values[7 - j];
        });
        row.r = fields;
      } else row.r = r;
    });
    return row as RowInput;
  });
/**
 * The same keys in the same order (struct fields too, unless `r` is given: then the struct's value
 * is that), with other values.
 */
const sameOrder = (row: RowInput, values: readonly unknown[], r: unknown): RowInput => {
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const k in row) {
    const v = row[k];
    if (k === 'r' && r !== NONE) {
      out[k] = Array.isArray(r) && typeof r[0] === 'string' ? Object.fromEntries(r.map((f) => [f, 1])) : r;
    } else if (
      k === 'r' &&
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !(v instanceof Date)
    ) {
      const fields: Record<string, unknown> = {};
      for (const f in v) fields[f] = values[i++ % values.length];
      out[k] = fields;
    } else out[k] = values[i++ % values.length];
  }
  return out as RowInput;
};

const NONE = Symbol('none');

/** readNamed's values, or the error it throws. */
function named(row: RowInput): unknown[] | Error {
  const values: unknown[] = [];
  try {
    readNamed(layout, row, 0, values);
    return values;
  } catch (err) {
    return err as Error;
  }
}

describe('reading an inserted row by its remembered key order', () => {
  it('accepts only rows that reading by name accepts, with the same values', () => {
    let fast = 0;
    fc.assert(
      fc.property(
        rowArb,
        fc.array(value, { minLength: 1, maxLength: 9 }),
        fc.boolean(),
        rowArb,
        fc.oneof({ weight: 3, arbitrary: fc.constant(NONE) }, { weight: 2, arbitrary: structValue }),
        (a, values, same, other, r) => {
          const reader = new RowReader(layout);
          if (!(named(a) instanceof Error)) reader.learn(a);
          const b = same ? sameOrder(a, values, r) : other;
          const got: unknown[] = [];
          if (!reader.read(b, got)) return;
          fast++;
          const want = named(b);
          expect(want).not.toBeInstanceOf(Error);
          expect(got.length).toBe(layout.columns.length);
          for (let c = 0; c < layout.columns.length; c++) expect(got[c]).toBe((want as unknown[])[c]);
        },
      ),
      { numRuns: 2000 },
    );
    // The walk must have been taken, or this test checks nothing.
    expect(fast).toBeGreaterThan(100);
  });

  it('gives a bad row the same error whatever key order the store saw before', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 8 }), (rows) => {
        const seen = Store.create(s);
        rows.forEach((row, i) => {
          // A fresh store has no remembered order: it reads every row by name.
          const fresh = Store.create(s);
          const outcome = (store: Store) => {
            try {
              store.write((tx) => tx.insert('t', { ...row, id: i }));
              return store.read((snap) => snap.get('t', i));
            } catch (err) {
              return { code: (err as { code?: string }).code, message: (err as Error).message };
            }
          };
          // Each row twice: its own key order is then the remembered one.
          for (const store of [seen, seen]) {
            const version = store.version;
            const got = outcome(store);
            if ('code' in (got ?? {})) expect(store.version).toBe(version);
            expect(got).toEqual(outcome(fresh));
            if (!('code' in (got ?? {}))) {
              store.write((tx) => tx.delete('t', i));
              fresh.write((tx) => tx.delete('t', i));
            }
          }
          fresh.close();
        });
        seen.close();
      }),
      { numRuns: 150 },
    );
  });
});
