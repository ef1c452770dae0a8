import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batch, readFolder, StateRuntime } from '../../src/index.js';
import { ledger, rowsOf } from '../support/runtime.js';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** Sizes of every file under the folder's log, by name. */
function walSizes(folder: string): Record<string, number> {
  const wal = join(folder, 'wal');
  return Object.fromEntries(readdirSync(wal).map((f) => [f, statSync(join(wal, f)).size]));
}

describe('reading a persistence folder read-only', () => {
  it('beside a live writer: takes no lock, reads the checkpoint and the log after it, changes no file', async () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-readonly-'));
    folders.push(persistPath);
    const rt = await StateRuntime.start(ledger, { writer: 'worker', persistPath });
    await rt.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0 }));
    await rt.checkpoint();
    for (let i = 0; i < 20; i++)
      await rt.submit(
        batch().increment('accounts', 'a', 'ops', 1).insert('audit', { seq: i, producer: 'p' }),
      );
    const want = rt.read((s) => ({
      version: s.version,
      accounts: rowsOf(s, 'accounts'),
      audit: rowsOf(s, 'audit'),
    }));

    const { store, recovery } = readFolder(persistPath, ledger);
    expect(recovery.checkpoint).not.toBeNull();
    expect(recovery.replayed).toBe(20);
    expect(
      store.read((s) => ({ version: s.version, accounts: rowsOf(s, 'accounts'), audit: rowsOf(s, 'audit') })),
    ).toEqual(want);
    store.close();

    // An incomplete record at the end (a write in progress, or cut by a crash) is the end of the
    // log for a reader, and stays where it is: only the writer's own open may cut it.
    const wal = join(persistPath, 'wal');
    const last = readdirSync(wal).sort().at(-1)!;
    appendFileSync(join(wal, last), Buffer.from('ACSR\x10\x00\x00\x00partial'));
    const before = walSizes(persistPath);
    const again = readFolder(persistPath, ledger);
    expect(again.recovery.version).toBe(want.version);
    expect(walSizes(persistPath)).toEqual(before);
    again.store.close();
    await rt.close();
  });

  it('of a folder that was never written: an empty store at version 1', () => {
    const persistPath = mkdtempSync(join(tmpdir(), 'acs-readonly-'));
    folders.push(persistPath);
    const { store, recovery } = readFolder(persistPath, ledger);
    expect(recovery).toMatchObject({ checkpoint: null, replayed: 0, version: 1 });
    store.close();
  });
});
