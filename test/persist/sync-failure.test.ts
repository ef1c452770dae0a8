import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { servePersister } from '../../src/persist/persister.js';
import { defaultWalFs, type WalFs } from '../../src/persist/wal/index.js';
import { ledger } from '../support/runtime.js';

describe('a log whose fdatasync fails', () => {
  it('fails durable waits with PERSIST_FAILED, and the writer takes no more batches; nothing is retried', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-syncfail-'));
    // The runtime's own persistence worker syncs on an interval too long to matter here: the one
    // below, in this thread, does the syncing with a disk that fails.
    const rt = await StateRuntime.start(ledger, {
      writer: 'worker',
      persistPath,
      durability: 'interval',
      syncIntervalMs: 1e9,
    });
    let calls = 0;
    const failing: WalFs = {
      ...defaultWalFs,
      fdatasyncSync: () => {
        calls++;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      },
    };
    const { address } = rt.handle();
    const { port1, port2 } = new MessageChannel();
    const reported = new Promise<{ t: string; error?: { code: string } }>((r) => port2.once('message', r));
    servePersister(port1, {
      control: address.store.control,
      walFolder: join(persistPath, 'wal'),
      walPosition: address.walPosition!,
      durability: 'always',
      syncIntervalMs: 100,
      fs: failing,
    });
    try {
      const v = await rt.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0 }));
      await expect(rt.settled(v, 'durable')).rejects.toMatchObject({ code: 'PERSIST_FAILED' });
      expect(await reported).toMatchObject({ t: 'failed', error: { code: 'WAL_SYNC_FAILED' } });
      await expect(
        rt.submit(batch().insert('accounts', { id: 'b', balance: 1, ops: 0 })),
      ).rejects.toMatchObject({
        code: 'PERSIST_FAILED',
      });
      // Reads go on.
      expect(rt.read((s) => s.count('accounts'))).toBe(1);
      expect(calls).toBe(1);
    } finally {
      port2.postMessage({ t: 'close' });
      port2.close();
      await rt.close().catch(() => {});
      rmSync(persistPath, { recursive: true, force: true });
    }
  });
});
