import { afterEach, describe, expect, it } from 'vitest';
import {
  between,
  dictionary,
  gt,
  int32,
  lt,
  max,
  min,
  query,
  runQuery,
  Store,
  schema,
  table,
} from '../../src/index.js';

// Dictionary codes are given in order of first use; ordering compares the strings (compareStrings:
// code points), never the codes. '\uffff' sorts before '😀' (U+1F600), although JavaScript's `<`
// on UTF-16 units puts the surrogate pair first.
const WORDS = ['pear', '😀', 'apple', '\uffff', 'Zebra', 'banana'];
const SORTED = ['Zebra', 'apple', 'banana', 'pear', '\uffff', '😀'];

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

function fruitStore(): Store {
  store = Store.create(
    schema([table('t', { id: int32(), fruit: dictionary('fruit', { width: 16 }) }, { key: 'id' })]),
    { rowGroupSize: 8 },
  );
  store.write((tx) => {
    WORDS.forEach((fruit, id) => {
      tx.insert('t', { id, fruit });
    });
  });
  return store;
}

describe('dictionary columns order by string value', () => {
  it('sorts by string, not by code', () => {
    fruitStore().read((snap) => {
      const asc = runQuery(snap, query('t').orderBy('fruit').select('fruit').build());
      expect(asc.rows.map((r) => r.fruit)).toEqual(SORTED);
      const top2 = runQuery(snap, query('t').orderBy('fruit', 'desc').limit(2).select('fruit').build());
      expect(top2.rows.map((r) => r.fruit)).toEqual(['😀', '\uffff']);
    });
  });

  it('filters by string order, including strings not in the domain', () => {
    fruitStore().read((snap) => {
      const fruits = (rows: { fruit?: unknown }[]) => rows.map((r) => r.fruit).sort();
      expect(fruits(runQuery(snap, query('t').where(lt('fruit', 'b')).build()).rows)).toEqual([
        'Zebra',
        'apple',
      ]);
      expect(fruits(runQuery(snap, query('t').where(gt('fruit', '\uffff')).build()).rows)).toEqual(['😀']);
      expect(
        fruits(
          runQuery(
            snap,
            query('t')
              .where(between('fruit', 'apple', 'cherry'))
              .build(),
          ).rows,
        ),
      ).toEqual(['apple', 'banana']);
    });
  });

  it('takes min and max by string', () => {
    fruitStore().read((snap) => {
      const r = runQuery(
        snap,
        query('t')
          .aggregate({ lo: min('fruit'), hi: max('fruit') })
          .build(),
      );
      expect(r.rows).toEqual([{ lo: 'Zebra', hi: '😀' }]);
    });
  });

  it('orders group keys by string', () => {
    fruitStore().read((snap) => {
      const r = runQuery(snap, query('t').groupBy('fruit').aggregate({}).orderBy('fruit', 'desc').build());
      expect(r.rows.map((x) => x.fruit)).toEqual([...SORTED].reverse());
    });
  });
});
