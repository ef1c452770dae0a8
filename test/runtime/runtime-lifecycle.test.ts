import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger, WRITERS } from '../support/runtime.js';
import { nextMessage, startWorker } from '../support/workers.js';

/** Resources that keep a thread alive, by kind, ignoring timers vitest itself keeps. */
const handles = () =>
  process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'Timeout' && r !== 'Immediate')
    .sort();

describe.each(WRITERS)('closing a runtime with a %s writer', (writer) => {
  it('answers every batch already submitted, refuses later ones, and leaves no handle or pin', async () => {
    const before = handles();
    const runtime = await StateRuntime.start(ledger, { writer });
    const submitted = Array.from({ length: 500 }, (_, i) =>
      runtime.submit(batch().insert('audit', { seq: i, producer: 'p' })),
    );
    const store = runtime.client.store;
    await runtime.close();
    const versions = await Promise.all(submitted);
    expect(versions.at(-1)).toBe(501);
    await expect(runtime.submit(batch().insert('audit', { seq: -1, producer: 'p' }))).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    });
    expect(store.stats().pins).toEqual([]);
    expect(handles()).toEqual(before);
  });

  it('tells clients in other threads: their later submits fail with STORE_CLOSED', async () => {
    const runtime = await StateRuntime.start(ledger, { writer });
    const w = startWorker(new URL('../workers/runtime-waiter.ts', import.meta.url), {
      handle: runtime.handle(),
    });
    await nextMessage(w, (m: { kind: string }) => m.kind === 'attached');
    await runtime.close();
    w.postMessage('go');
    const done = await nextMessage<{ kind: string; codes: string[] }>(w, (m) => m.kind === 'done');
    expect(done.codes).toEqual(['STORE_CLOSED', 'STORE_CLOSED', 'STORE_CLOSED']);
  });
});

describe('a writer worker that dies', () => {
  it('fails pending and later submits with WRITER_DIED in every thread, while pinned versions stay readable', async () => {
    const runtime = await StateRuntime.start(ledger, { writer: 'worker' });
    await runtime.submit(batch().insert('audit', { seq: 0, producer: 'p' }));
    const w = startWorker(new URL('../workers/runtime-waiter.ts', import.meta.url), {
      handle: runtime.handle(),
    });
    await nextMessage(w, (m: { kind: string }) => m.kind === 'attached');
    const snap = runtime.snapshot();
    const pending = Array.from({ length: 2000 }, (_, i) =>
      runtime.submit(batch().insert('audit', { seq: i + 1, producer: 'p' })),
    );
    const settled = Promise.allSettled(pending);
    await runtime.writerWorker!.terminate();
    const outcomes = await settled;
    const failed = outcomes.filter((o) => o.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect((f as PromiseRejectedResult).reason.code).toBe('WRITER_DIED');
    await expect(runtime.submit(batch().insert('audit', { seq: -1, producer: 'p' }))).rejects.toMatchObject({
      code: 'WRITER_DIED',
    });
    expect(snap.count('audit')).toBe(1);
    snap.release();
    w.postMessage('go');
    const done = await nextMessage<{ kind: string; codes: string[]; count: number }>(
      w,
      (m) => m.kind === 'done',
    );
    expect(done).toMatchObject({ codes: ['WRITER_DIED', 'WRITER_DIED', 'WRITER_DIED'], count: 1 });
    await runtime.close();
  });
});
