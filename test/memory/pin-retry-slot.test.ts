/**
 * A pin that retries (the writer committed between its two version loads) clears the slot it holds,
 * whichever slot that is, and nothing else in the control block: with pins held in every lower slot
 * of a 16-slot table, the retried pin reads its own version, the slots above and below keep their
 * owners, and the root ring entries that later pins read stay intact.
 */
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { int32, type Snapshot, Store, schema, table } from '../../src/index.js';
import { setPinRaceHook } from '../../src/memory/slots.js';

const SLOTS = 16;
/** Entries of the root ring: retrying this many times puts each entry under the retried pin once. */
const RING = 16;

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

afterEach(() => setPinRaceHook(null));

/** Sets row 0's `v` to the version being written: a version reads its own number. */
function bump(store: Store): void {
  store.write((tx) => {
    if (tx.count('t') === 0) tx.insert('t', { id: 0, v: tx.version });
    else tx.update('t', 0, { v: tx.version });
  });
}

/** Takes a snapshot whose pin retries once: the hook commits between its version load and slot store. */
function racedSnapshot(store: Store): Snapshot {
  let raced = false;
  setPinRaceHook((at) => {
    if (at !== 'loaded' || raced) return;
    raced = true;
    bump(store);
  });
  const snap = store.snapshot();
  setPinRaceHook(null);
  expect(raced, 'the hook ran inside the pin').toBe(true);
  return snap;
}

describe('a pin that retries in a slot above 0', () => {
  it.each(Array.from({ length: SLOTS - 1 }, (_, i) => i + 1))('clears only its own slot, slot %i', (slot) => {
    const store = Store.create(s, { readerSlots: SLOTS, reclaimInterval: 1 });
    try {
      bump(store);
      const held: Snapshot[] = [];
      for (let i = 0; i < slot; i++) {
        bump(store);
        held.push(store.snapshot());
      }
      for (let k = 0; k < RING; k++) {
        // A version no held pin shares, so that the snapshot takes a slot of its own.
        bump(store);
        const snap = racedSnapshot(store);
        expect(snap.version).toBe(store.version);
        expect(snap.get('t', 0)).toEqual({ id: 0, v: snap.version });
        expect(store.stats().pins).toEqual([...held, snap].map((h) => ({ version: h.version, threadId })));
        snap.release();
      }
      for (const h of held) expect(h.get('t', 0)).toEqual({ id: 0, v: h.version });
      for (const h of held) h.release();
      expect(store.stats().pins).toEqual([]);
    } finally {
      store.close();
    }
  });
});
