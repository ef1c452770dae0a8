import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger } from '../support/runtime.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['worker', 'inline'] as const)('snapshot({ durable: true }) with a %s writer', (writer) => {
  it('pins a durable version that stays readable while the writer goes thousands of versions on', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-durable-snap-'));
    try {
      // Debug mode poisons freed blocks: a durable version read after its blocks were freed would
      // show garbage instead of its rows.
      const rt = await StateRuntime.start(ledger, { writer, persistPath, debug: true, reclaimInterval: 8 });
      await rt.submit(
        batch()
          .insert('accounts', { id: 'a', balance: 100, ops: 0 })
          .insert('accounts', { id: 'b', balance: 0, ops: 0 }),
      );
      const acked = await rt.submit(batch().increment('accounts', 'a', 'ops', 1));
      // The writer publishes the durable root when it sees the sync: wait for it, briefly.
      let snap = rt.snapshot({ durable: true });
      for (let i = 0; i < 200 && snap.version < acked; i++) {
        snap.release();
        await pause(5);
        snap = rt.snapshot({ durable: true });
      }
      expect(snap.version).toBeGreaterThanOrEqual(acked);
      const seen = snap.get('accounts', 'a');
      // Transfers between a and b: every version sums to 100. Far beyond the 16-entry root ring,
      // the pinned durable version must still read its own rows.
      const moves = Array.from({ length: 3000 }, (_, i) =>
        rt.submit(
          batch()
            .increment('accounts', 'a', 'balance', i % 2 === 0 ? -1 : 1)
            .increment('accounts', 'b', 'balance', i % 2 === 0 ? 1 : -1),
          { policy: 'visible' },
        ),
      );
      await Promise.all(moves);
      expect(rt.version).toBeGreaterThan(snap.version + 1000);
      expect(snap.get('accounts', 'a')).toEqual(seen);
      expect(
        (snap.get('accounts', 'a')!.balance as number) + (snap.get('accounts', 'b')!.balance as number),
      ).toBe(100);
      snap.release();
      await rt.close();
    } finally {
      rmSync(persistPath, { recursive: true, force: true });
    }
  });
});

describe('snapshot({ durable: true }) without persistence', () => {
  it('fails with NOT_DURABLE', async () => {
    const rt = await StateRuntime.start(ledger, { writer: 'inline' });
    expect(() => rt.snapshot({ durable: true })).toThrow(expect.objectContaining({ code: 'NOT_DURABLE' }));
    await rt.close();
  });
});
