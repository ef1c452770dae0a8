/**
 * When an attached thread dies, the owner clears that thread's reader slots and no other: pins
 * the owner (or any other thread) holds, in slots below or above the dead thread's, stay pinned.
 */
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { int32, ReaderWorker, Store, schema, table } from '../../src/index.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function bump(store: Store, v: number) {
  store.write((tx) => {
    if (tx.count('t') === 0) tx.insert('t', { id: 0, v });
    else tx.update('t', 0, { v });
  });
}

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the slots of a dead thread', () => {
  it('are cleared, and only they', async () => {
    const store = Store.create(s, { readerSlots: 4 });
    open.push(store);
    bump(store, 1);
    const below = store.snapshot(); // slot 0
    bump(store, 2);
    const reader = await ReaderWorker.start(store.handle());
    const { version } = await reader.pin(); // slot 1
    bump(store, 3);
    const above = store.snapshot(); // slot 2
    expect(store.stats().pins).toEqual([
      { version: below.version, threadId },
      { version, threadId: reader.worker.threadId },
      { version: above.version, threadId },
    ]);
    await reader.worker.terminate();
    await until(() => store.stats().pins.length < 3);
    expect(store.stats().pins).toEqual([
      { version: below.version, threadId },
      { version: above.version, threadId },
    ]);
    // The freed slot is the next one taken, and the owner's pins still read their versions.
    bump(store, 4);
    const next = store.snapshot();
    expect(store.stats().pins.map((p) => p.version)).toEqual([below.version, next.version, above.version]);
    store.reclaim();
    expect(below.get('t', 0)).toEqual({ id: 0, v: 1 });
    expect(above.get('t', 0)).toEqual({ id: 0, v: 3 });
    for (const snap of [below, above, next]) snap.release();
  });
});
