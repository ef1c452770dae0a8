import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { int32, ReaderWorker, StateError, Store, schema, table } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);
const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function create() {
  // Small segments: growing the table makes new segments that attached threads must learn of.
  const store = Store.create(s, { rowGroupSize: 64, segmentBytes: 16 * 1024 });
  open.push(store);
  return store;
}

function fill(store: Store, from: number, to: number) {
  store.write((tx) => {
    for (let i = from; i < to; i++) tx.insert('t', { id: i, v: i });
  });
}

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('attaching threads', () => {
  it('read the same memory, including segments made after they attached', async () => {
    const store = create();
    fill(store, 0, 100);
    const reader = await ReaderWorker.start(store.handle());
    const first = await reader.scan('t', 'v');
    expect(first).toMatchObject({ version: store.version, rows: 100, sum: 4950 });
    const segmentsBefore = store.stats().segments;
    fill(store, 100, 5000);
    expect(store.stats().segments).toBeGreaterThan(segmentsBefore);
    const second = await reader.scan('t', 'v');
    expect(second).toMatchObject({ version: store.version, rows: 5000, sum: (4999 * 5000) / 2 });
    expect(await reader.get('t', 4321)).toEqual({ id: 4321, v: 4321 });
    await reader.close();
  });

  it('keep reading the version they pinned while the writer moves on', async () => {
    const store = create();
    fill(store, 0, 10);
    const reader = await ReaderWorker.start(store.handle());
    const { version } = await reader.pin();
    store.write((tx) => {
      for (let i = 0; i < 10; i++) tx.update('t', i, { v: 100 });
    });
    store.reclaim();
    expect(await reader.scan('t', 'v')).toMatchObject({ version, sum: 45 });
    await reader.release();
    expect(await reader.scan('t', 'v')).toMatchObject({ version: store.version, sum: 1000 });
    await reader.close();
  });

  it('have the slots of a terminated thread cleared by the owner', async () => {
    const store = create();
    fill(store, 0, 10);
    const reader = await ReaderWorker.start(store.handle());
    const { version } = await reader.pin();
    const tid = reader.worker.threadId;
    expect(store.stats().pins).toEqual([{ version, threadId: tid }]);
    store.write((tx) => tx.update('t', 1, { v: -1 }));
    store.reclaim();
    const retired = store.stats().retiredBytes;
    expect(retired).toBeGreaterThan(0);
    await reader.worker.terminate();
    await until(() => store.stats().pins.length === 0);
    // With the pin gone, what only that version saw is freed.
    expect(store.reclaim()).toBeGreaterThanOrEqual(retired);
  });

  it('cannot take the writer role while the owner holds the lease', async () => {
    const store = create();
    const worker = startWorker(new URL('../workers/attach-writer.ts', import.meta.url), store.handle());
    const reply = await nextMessage<{ code: string; message: string }>(worker);
    expect(reply.code).toBe('WRITER_LEASE_HELD');
    // The owner is the thread running this test: the main thread under `npm test`, a worker thread
    // under the mutation run (Stryker runs vitest in its threads pool).
    expect(reply.message).toContain(`thread ${threadId} holds the lease`);
    await worker.terminate();
    await expect(Store.attach(store.handle(), { writer: true })).rejects.toThrowError(StateError);
  });

  it('are refused once the owner closed the store, and cannot write', async () => {
    const store = create();
    const handle = store.handle();
    const same = await Store.attach(handle);
    expect(() => same.write(() => {})).toThrowError(/attached .* as a reader/);
    same.close();
    store.close();
    await expect(Store.attach(handle)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(Store.attach({} as never)).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
  });
});
