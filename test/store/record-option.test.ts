/**
 * One write can leave out recording (`{ record: false }`) in a store that records: it changes the
 * state exactly as a recorded write would, its `tx.batch` refuses with a clear code, and the writes
 * before and after it record as usual.
 */
import { describe, expect, it } from 'vitest';
import { batch, int32, type StateError, Store, schema, type Transaction, table } from '../../src/index.js';

const s = schema([table('accounts', { id: int32(), balance: int32() }, { key: 'id' })]);

describe('a write given record: false', () => {
  it('changes the state as a recorded one, and only its own batch is missing', () => {
    const store = Store.create(s);
    let before: Transaction | null = null;
    let unrecorded: Transaction | null = null;
    let after: Transaction | null = null;
    store.write((tx) => {
      before = tx;
      tx.insert('accounts', { id: 1, balance: 10 });
    });
    const v = store.write(
      (tx) => {
        unrecorded = tx;
        tx.insert('accounts', { id: 2, balance: 20 });
        tx.update('accounts', 1, { balance: 11 });
      },
      { record: false },
    );
    store.apply(batch().increment('accounts', 2, 'balance', 5).build(), { record: false });
    store.applyAt(v + 5, batch().insert('accounts', { id: 3, balance: 30 }).build(), { record: false });
    store.write((tx) => {
      after = tx;
      tx.delete('accounts', 3);
    });

    store.read((snap) => {
      expect(snap.version).toBe(v + 6);
      expect([1, 2, 3].map((id) => snap.get('accounts', id)?.balance)).toEqual([11, 25, undefined]);
    });
    expect(before!.batch.effects).toEqual([{ op: 'insert', table: 'accounts', row: { id: 1, balance: 10 } }]);
    expect(after!.batch.effects).toEqual([{ op: 'delete', table: 'accounts', key: 3 }]);
    let error: StateError | null = null;
    try {
      void unrecorded!.batch;
    } catch (err) {
      error = err as StateError;
    }
    expect(error).toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('record: false'),
    });
    store.close();
  });
});
