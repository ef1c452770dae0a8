import { describe, expect, it } from 'vitest';
import {
  type Batch,
  dictionary,
  type Effect,
  int32,
  type Row,
  StateError,
  Store,
  schema,
  table,
} from '../../src/index.js';

// store.apply takes a long run of inserts into one table as one insertRows: the batch must give the
// same table, or fail with the same error, as its effects applied one at a time.
const s = schema([
  table('t', { id: dictionary('id'), n: int32() }, { key: 'id' }),
  table('u', { id: int32(), n: int32() }, { key: 'id' }),
]);

const inserts = (from: number, to: number, table = 't'): Effect[] =>
  Array.from({ length: to - from }, (_, i) => ({
    op: 'insert' as const,
    table,
    row: table === 't' ? { id: `k-${from + i}`, n: from + i } : { id: from + i, n: from + i },
  }));

const rowsOf = (store: Store, table = 't'): Row[] =>
  store.read((snap) => Array.from({ length: snap.count(table) }, (_, i) => snap.getAt(table, i)));

/** The error (code, message, details) of applying `batch`, or its rows when it applies. */
function applied(batch: Batch, oneByOne: boolean): unknown {
  const store = Store.create(s);
  try {
    if (oneByOne) {
      // The same effects through the transaction, one insert at a time.
      store.write((tx) => {
        for (const e of batch.effects) {
          if (e.op === 'insert') tx.insert(e.table, e.row);
          else if (e.op === 'update') tx.update(e.table, e.key, e.values);
          else
            throw new StateError(
              'INVALID_BATCH',
              `effect ${batch.effects.indexOf(e)} (insert on t) has a malformed row`,
              { table: 't', op: batch.effects.indexOf(e) },
            );
        }
      });
    } else {
      store.apply(batch);
    }
    return { t: rowsOf(store), u: rowsOf(store, 'u') };
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    expect(rowsOf(store)).toEqual([]);
    return { code: err.code, message: err.message, details: err.details };
  }
}

describe('store.apply with a long run of inserts', () => {
  it('gives the table inserting one by one gives, runs into other tables and updates included', () => {
    const batch: Batch = {
      effects: [
        ...inserts(0, 50),
        { op: 'update', table: 't', key: 'k-3', values: { n: -3 } },
        ...inserts(0, 40, 'u'),
        ...inserts(50, 120),
      ],
    };
    const got = applied(batch, false) as { t: Row[]; u: Row[] };
    expect(got).toEqual(applied(batch, true));
    expect(got.t).toHaveLength(120);
    expect(got.u).toHaveLength(40);
  });

  it('fails with the error of the first bad row, its op the index of its effect', () => {
    const effects = inserts(0, 100);
    (effects[70] as { row: Record<string, unknown> }).row.n = 'seventy';
    (effects[80] as { row: Record<string, unknown> }).row.id = 'k-2';
    const got = applied({ effects }, false);
    expect(got).toEqual(applied({ effects }, true));
    expect(got).toMatchObject({ code: 'TYPE_MISMATCH', details: { op: 70 } });
    (effects[70] as { row: Record<string, unknown> }).row.n = 70;
    expect(applied({ effects }, false)).toMatchObject({
      code: 'DUPLICATE_KEY',
      details: { op: 80, key: 'k-2' },
    });
  });

  it('ends a run at a malformed effect, which fails only after the rows before it', () => {
    const effects: Effect[] = [
      ...inserts(0, 40),
      { op: 'insert', table: 't', row: 'nope' as never },
      ...inserts(40, 80),
    ];
    expect(applied({ effects }, false)).toMatchObject({ code: 'INVALID_BATCH', details: { op: 40 } });
    (effects[10] as { row: Record<string, unknown> }).row.n = null;
    expect(applied({ effects }, false)).toMatchObject({ code: 'NULL_NOT_ALLOWED', details: { op: 10 } });
  });
});
