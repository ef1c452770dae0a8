import { describe, expect, it } from 'vitest';
import { int32, type RowInput, Store, schema, struct, table } from '../../src/index.js';

// An insert checks the names of its row by counting them against the table's fields, and looks
// names up only on a mismatch: these rows are built so that a count alone would be fooled.
const s = schema([
  table(
    't',
    { id: int32(), a: int32({ nullable: true }), r: struct({ x: int32(), y: int32({ nullable: true }) }) },
    { key: 'id' },
  ),
]);

describe('the names of an inserted row', () => {
  const cases: [string, RowInput, string, string][] = [
    ['an unknown column', { id: 1, r: { x: 1 }, zzz: 1 }, 'UNKNOWN_COLUMN', '"zzz"'],
    [
      'an unknown column beside an undefined known one',
      { id: 1, a: undefined, r: { x: 1 }, zzz: 1 },
      'UNKNOWN_COLUMN',
      '"zzz"',
    ],
    ['an unknown struct field', { id: 1, r: { x: 1, z: 2 } }, 'UNKNOWN_COLUMN', '"r.z"'],
    [
      'an unknown struct field beside an undefined known one',
      { id: 1, r: { x: 1, y: undefined, z: 2 } },
      'UNKNOWN_COLUMN',
      '"r.z"',
    ],
    ['a struct given a number', { id: 1, r: 5 as never }, 'TYPE_MISMATCH', 't.r'],
    ['a struct given an array', { id: 1, r: [1] as never }, 'TYPE_MISMATCH', 't.r'],
  ];
  for (const [what, row, code, message] of cases) {
    it(`refuses ${what}, changing nothing`, () => {
      const store = Store.create(s);
      const v = store.version;
      let caught: unknown;
      try {
        store.write((tx) => tx.insert('t', row));
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ code });
      expect((caught as Error).message).toContain(message);
      expect(store.version).toBe(v);
      store.close();
    });
  }

  it('accepts undefined for a nullable column and a nullable struct field', () => {
    const store = Store.create(s);
    store.write((tx) => tx.insert('t', { id: 1, a: undefined, r: { x: 2, y: undefined } }));
    expect(store.read((snap) => snap.get('t', 1))).toEqual({ id: 1, a: null, r: { x: 2, y: null } });
    store.close();
  });
});
