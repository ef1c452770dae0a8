import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch, getCDataInterface, openExport, StateRuntime } from '../../src/index.js';
import { ledger, rowsOf } from '../support/runtime.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the runtime keeps a shared-memory export for other processes', () => {
  it('refreshed on demand and on its interval, with the durable version and its rows', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-rt-export-'));
    const exportPath = mkdtempSync(join(tmpdir(), 'acs-rt-export-shm-'));
    try {
      const rt = await StateRuntime.start(ledger, {
        writer: 'worker',
        persistPath,
        exportPath,
        exportIntervalSeconds: 0.05,
      });
      const v = await rt.submit(batch().insert('accounts', { id: 'a', balance: 5, ops: 1, note: 'x' }));
      const meta = await rt.refreshExport();
      expect(meta.version).toBeGreaterThanOrEqual(v);
      expect(meta.incarnation).toBe(rt.handle().address.runtimeId);
      const opened = openExport(exportPath);
      expect(opened.tables.accounts!.numRows).toBe(1);
      expect(opened.tables.accounts!.get(0)?.toJSON()).toMatchObject({
        id: 'a',
        balance: 5,
        ops: 1,
        note: 'x',
      });

      // Each refresh holds every batch acknowledged before it, although the durable root the
      // export reads trails the durable word (a lone await left it one version behind in CI).
      for (let i = 0; i < 30; i++) {
        const u = await rt.submit(batch().update('accounts', 'a', { ops: i + 2 }));
        expect((await rt.refreshExport()).version).toBeGreaterThanOrEqual(u);
      }

      // Later versions appear without asking, once durable.
      const w = await rt.submit(batch().insert('accounts', { id: 'b', balance: 6, ops: 0 }));
      for (let i = 0; i < 200 && getCDataInterface(exportPath).version < w; i++) await pause(10);
      expect(getCDataInterface(exportPath).version).toBeGreaterThanOrEqual(w);
      const rows = rt.read((s) => rowsOf(s, 'accounts'));
      expect(
        openExport(exportPath)
          .tables.accounts!.toArray()
          .map((r) => r.toJSON()),
      ).toMatchObject(rows);
      await rt.close();
    } finally {
      rmSync(persistPath, { recursive: true, force: true });
      rmSync(exportPath, { recursive: true, force: true });
    }
  });

  it('refuses refreshExport without an export folder', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-rt-export-'));
    const rt = await StateRuntime.start(ledger, { writer: 'inline', persistPath });
    await expect(rt.refreshExport()).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await rt.close();
    rmSync(persistPath, { recursive: true, force: true });
  });
});
