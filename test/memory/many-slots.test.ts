/**
 * One thread, or several stores attached in one thread, holding pins in several reader slots at
 * once: each slot is listed with its version and thread, releasing any pin leaves the others, the
 * oldest pin is named whichever slot it holds, and a slot freed by a detach is reused without
 * hiding the slots above it from the writer's scans.
 */
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { int32, type StateError, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0).reverse()) store.close();
});

function create(readerSlots: number): Store {
  const store = Store.create(s, { readerSlots });
  open.push(store);
  return store;
}

function bump(store: Store, v: number) {
  store.write((tx) => {
    if (tx.count('t') === 0) tx.insert('t', { id: 0, v });
    else tx.update('t', 0, { v });
  });
}

describe('pins in several slots', () => {
  it('are each listed, and releasing one leaves the others', () => {
    const store = create(4);
    const snaps = [];
    for (let v = 1; v <= 3; v++) {
      bump(store, v);
      snaps.push(store.snapshot());
    }
    const versions = snaps.map((snap) => snap.version);
    expect(store.stats().pins).toEqual(versions.map((version) => ({ version, threadId })));
    // Release the first of three: the thread's pin list moves its last pin into the hole.
    snaps[0]!.release();
    expect(store.stats().pins).toEqual(versions.slice(1).map((version) => ({ version, threadId })));
    // A new snapshot of the newest version shares its pin.
    const again = store.snapshot();
    expect(again.version).toBe(versions[2]);
    expect(store.stats().pins).toHaveLength(2);
    expect(snaps[1]!.get('t', 0)).toEqual({ id: 0, v: 2 });
    expect(again.get('t', 0)).toEqual({ id: 0, v: 3 });
    for (const snap of [again, snaps[1]!, snaps[2]!]) snap.release();
    expect(store.stats().pins).toEqual([]);
  });

  it('name the oldest pin when it is not in the first slot', () => {
    const store = create(2);
    bump(store, 1);
    const a = store.snapshot(); // slot 0
    bump(store, 2);
    const b = store.snapshot(); // slot 1
    a.release();
    bump(store, 3);
    const c = store.snapshot(); // slot 0 again: now newer than slot 1's pin
    bump(store, 4);
    let error: StateError | undefined;
    try {
      store.snapshot();
    } catch (err) {
      error = err as StateError;
    }
    expect(error?.code).toBe('SLOTS_FULL');
    expect(error?.message).toContain(`oldest pins version ${b.version} in thread ${threadId}`);
    b.release();
    c.release();
  });

  it('stay visible to the writer when a slot below them is freed by a detach and taken again', async () => {
    const owner = create(4);
    bump(owner, 1);
    const readers = [];
    for (let i = 0; i < 3; i++) readers.push(await Store.attach(owner.handle()));
    const [r0, r1, r2] = readers as [Store, Store, Store];
    open.push(r0, r2);
    const held0 = r0.snapshot(); // slot 0
    const held1 = r1.snapshot(); // slot 1
    bump(owner, 2);
    const held2 = r2.snapshot(); // slot 2
    expect(owner.stats().pins).toHaveLength(3);
    // Closing r1 with its snapshot still held clears its slot, value and owner both.
    r1.close();
    expect(owner.stats().pins).toEqual([
      { version: held0.version, threadId },
      { version: held2.version, threadId },
    ]);
    bump(owner, 3);
    const r3 = await Store.attach(owner.handle());
    open.push(r3);
    const held3 = r3.snapshot(); // slot 1 again
    expect(owner.stats().pins.map((p) => p.version)).toEqual([held0.version, held3.version, held2.version]);
    // The writer still sees slot 2's pin: its version's blocks survive reclamation.
    bump(owner, 4);
    owner.reclaim();
    expect(held2.get('t', 0)).toEqual({ id: 0, v: 2 });
    expect(() => held1.get('t', 0)).toThrowError();
    for (const snap of [held0, held2, held3]) snap.release();
  });
});
