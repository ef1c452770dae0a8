import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { incrementOps, ledger, WRITERS } from '../support/runtime.js';
import { nextMessage, startWorker } from '../support/workers.js';

const COUNT = 150;

describe.each(WRITERS)('update(fn) with a %s writer', (writer) => {
  it('converges under contention: increments read-then-written from three threads lose none', async () => {
    const runtime = await StateRuntime.start(ledger, { writer });
    await runtime.submit(batch().insert('accounts', { id: 'a', balance: 0, ops: 0 }));
    const workers = [0, 1].map(() =>
      startWorker(new URL('../workers/runtime-updater.ts', import.meta.url), {
        handle: runtime.handle(),
        count: COUNT,
      }),
    );
    const done = workers.map((w) => nextMessage<{ attempts: number }>(w));
    let attempts = 0;
    const mine: Promise<number>[] = [];
    for (let i = 0; i < COUNT; i++) {
      mine.push(
        runtime.update(
          (s) => {
            attempts++;
            return incrementOps(s);
          },
          { retries: 10_000 },
        ),
      );
    }
    const versions = await Promise.all(mine);
    const theirs = await Promise.all(done);
    expect(runtime.read((s) => s.get('accounts', 'a', ['ops']))).toEqual({ ops: 3 * COUNT });
    // Every update made its own version, and at least one thread had to retry (they all raced).
    expect(new Set(versions).size).toBe(COUNT);
    expect(attempts + theirs[0]!.attempts + theirs[1]!.attempts).toBeGreaterThan(3 * COUNT);
    await runtime.close();
  });

  it('gives up after the retries with the last PRECONDITION_FAILED, and resolves a null result with the version read', async () => {
    const runtime = await StateRuntime.start(ledger, { writer });
    const v = await runtime.submit(batch().insert('accounts', { id: 'a', balance: 0, ops: 0 }));
    let calls = 0;
    await expect(
      runtime.update(
        () => {
          calls++;
          return batch().require('accounts', 'a', { column: 'ops', equals: 1 });
        },
        { retries: 2 },
      ),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', details: { table: 'accounts', column: 'ops' } });
    expect(calls).toBe(3);
    await expect(runtime.update(() => null)).resolves.toBe(v);
    await runtime.close();
  });
});
