import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger, WRITERS } from '../support/runtime.js';

const CHANGES = 300;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const myPins = (rt: StateRuntime) => rt.client.store.stats().pins.filter((p) => p.threadId === threadId);

describe.each(WRITERS)('watch with a %s writer', (writer) => {
  it('yields strictly newer versions, each with a change to the watched table, ending at the last change', async () => {
    const runtime = await StateRuntime.start(ledger, { writer });
    await runtime.submit(batch().insert('accounts', { id: 'a', balance: 0, ops: 0 }));
    const seen: { version: number; changed: number; balance: number }[] = [];
    const watching = (async () => {
      for await (const snap of runtime.watch({ tables: ['accounts'] })) {
        seen.push({
          version: snap.version,
          changed: snap.changedAt('accounts'),
          balance: snap.get('accounts', 'a', ['balance'])!.balance as number,
        });
        if (seen.at(-1)!.balance === CHANGES) return;
        // A slow consumer: versions pile up meanwhile and must be skipped, not queued.
        await pause(seen.length % 3);
      }
    })();
    let lastAccounts = 0;
    for (let i = 1; i <= CHANGES; i++) {
      // Audit-only versions change no watched table.
      if (i % 4 === 0) await runtime.submit(batch().insert('audit', { seq: i, producer: 'x' }));
      lastAccounts = await runtime.submit(batch().update('accounts', 'a', { balance: i }));
    }
    await watching;
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.version).toBeGreaterThan(seen[i - 1]!.version);
      expect(seen[i]!.changed).toBeGreaterThan(seen[i - 1]!.version);
    }
    expect(seen.at(-1)!.changed).toBe(lastAccounts);
    // It coalesced: fewer snapshots than versions.
    expect(seen.length).toBeLessThan(CHANGES);
    expect(myPins(runtime)).toEqual([]);
    await runtime.close();
  });

  it('releases its pin on break, and ends when the runtime closes', async () => {
    const runtime = await StateRuntime.start(ledger, { writer });
    for await (const snap of runtime.watch()) {
      expect(myPins(runtime).map((p) => p.version)).toEqual([snap.version]);
      break;
    }
    expect(myPins(runtime)).toEqual([]);
    const versions: number[] = [];
    const watching = (async () => {
      for await (const snap of runtime.watch()) versions.push(snap.version);
    })();
    await pause(20);
    await runtime.close();
    await watching;
    expect(versions).toEqual([1]);
  });
});
