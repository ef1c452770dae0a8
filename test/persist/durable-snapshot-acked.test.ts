/**
 * A batch acknowledged under the durable policy is in `snapshot({ durable: true })` at once: the
 * durable root that the writer publishes trails the durable word by one of its wake-ups, so with
 * nothing newer written the newest version itself is the durable one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger, WRITERS } from '../support/runtime.js';

describe.each(WRITERS)('snapshot({ durable: true }) after a durable submit, %s writer', (writer) => {
  it('holds the acknowledged version, every time', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-durable-acked-'));
    try {
      const rt = await StateRuntime.start(ledger, { writer, persistPath });
      await rt.submit(batch().insert('accounts', { id: 'a', balance: 0, ops: 0 }));
      for (let i = 1; i <= 30; i++) {
        const acked = await rt.submit(batch().update('accounts', 'a', { ops: i }));
        const snap = rt.snapshot({ durable: true });
        expect(snap.version).toBeGreaterThanOrEqual(acked);
        expect(snap.get('accounts', 'a')?.ops).toBe(i);
        snap.release();
      }
      await rt.close();
    } finally {
      rmSync(persistPath, { recursive: true, force: true });
    }
  });
});
