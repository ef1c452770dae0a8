/**
 * A snapshot released after its store object was closed in this thread writes nothing to the
 * control block: its slot was given up at close and may already belong to another thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

describe('a snapshot released after its store closed', () => {
  it('leaves the control block as it is', async () => {
    // 16 slots: the slot versions start right after the owner words of slots 14 and 15, so a
    // write one word before the slot area (slot -1) would wipe those owners.
    const owner = Store.create(s, { readerSlots: 16 });
    open.push(owner);
    const held = [];
    for (let v = 0; v < 15; v++) {
      owner.write((tx) => tx.insert('t', { id: v, v }));
      held.push(owner.snapshot()); // slots 0 to 14
    }
    const reader = await Store.attach(owner.handle());
    const late = reader.snapshot(); // slot 15
    reader.close();
    const control = new Uint8Array(owner.handle().control);
    const before = control.slice();
    late.release();
    expect(control).toEqual(before);
    expect(owner.stats().pins).toHaveLength(15);
    for (const snap of held) snap.release();
  });
});
