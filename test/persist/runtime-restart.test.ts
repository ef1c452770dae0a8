import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attach, batch, StateRuntime } from '../../src/index.js';
import { ledger, rowsOf } from '../support/runtime.js';

describe('restart() after the writer worker died', () => {
  it('reopens the folder with every durable batch, under a new handle; old clients stay failed', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-restart-'));
    try {
      const rt = await StateRuntime.start(ledger, { writer: 'worker', persistPath });
      for (let i = 0; i < 30; i++) await rt.submit(batch().insert('audit', { seq: i, producer: 'p' }));
      const durable = rt.read((s) => ({ version: s.version, audit: rowsOf(s, 'audit') }));
      const client = await attach(rt.handle());
      await rt.writerWorker!.terminate();
      await expect(rt.submit(batch().insert('audit', { seq: 99, producer: 'p' }))).rejects.toMatchObject({
        code: 'WRITER_DIED',
      });

      const next = await rt.restart();
      expect(next.handle().address.runtimeId).not.toBe(rt.handle().address.runtimeId);
      expect(next.read((s) => ({ version: s.version, audit: rowsOf(s, 'audit') }))).toEqual(durable);
      await expect(next.submit(batch().insert('audit', { seq: 30, producer: 'p' }))).resolves.toBe(
        durable.version + 1,
      );
      await expect(client.submit(batch().insert('audit', { seq: 31, producer: 'p' }))).rejects.toMatchObject({
        code: 'WRITER_DIED',
      });
      await client.close();
      await next.close();
    } finally {
      rmSync(persistPath, { recursive: true, force: true });
    }
  });

  it('is refused without a persistence folder', async () => {
    const rt = await StateRuntime.start(ledger, { writer: 'inline' });
    await expect(rt.restart()).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await rt.close();
  });
});
