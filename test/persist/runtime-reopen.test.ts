import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger, rowsOf } from '../support/runtime.js';

const folders: string[] = [];
const folder = () => {
  const f = mkdtempSync(join(tmpdir(), 'acs-reopen-'));
  folders.push(f);
  return f;
};
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

describe.each([
  ['worker', 'feather'],
  ['inline', 'parquet'],
] as const)('a runtime with a persistence folder (%s writer, %s checkpoints)', (writer, persistFormat) => {
  it('reopens at the same version with the same rows and metadata, from the checkpoint close() wrote', async () => {
    const persistPath = folder();
    const rt = await StateRuntime.start(ledger, { writer, persistPath, persistFormat });
    expect(rt.recovery).toMatchObject({ checkpoint: null, replayed: 0, version: 1 });
    await rt.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0, note: 'first' }));
    await rt.checkpoint();
    for (let i = 0; i < 50; i++) {
      await rt.submit(
        batch()
          .increment('accounts', 'a', 'ops', 1)
          .insert('audit', { seq: i, producer: `p${i % 3}` }),
      );
    }
    await rt.submit(batch().delete('audit', 7).setMeta('cluster_id', 'c-1'));
    const version = rt.version;
    const rows = rt.read((s) => [rowsOf(s, 'accounts'), rowsOf(s, 'audit'), s.meta()]);
    await rt.close();

    const again = await StateRuntime.start(ledger, { writer, persistPath, persistFormat });
    // close() wrote a final checkpoint: nothing to replay.
    expect(again.recovery).toMatchObject({ checkpoint: { version }, replayed: 0, version });
    expect(again.version).toBe(version);
    expect(again.read((s) => [rowsOf(s, 'accounts'), rowsOf(s, 'audit'), s.meta()])).toEqual(rows);
    // Versions go on from there.
    await expect(again.submit(batch().increment('accounts', 'a', 'ops', 1))).resolves.toBe(version + 1);
    await again.close();
  });

  it('refuses a second writer on the folder while the first holds it, with FOLDER_LOCKED', async () => {
    const persistPath = folder();
    const rt = await StateRuntime.start(ledger, { writer, persistPath });
    await expect(StateRuntime.start(ledger, { writer, persistPath })).rejects.toMatchObject({
      code: 'FOLDER_LOCKED',
    });
    await rt.close();
    const next = await StateRuntime.start(ledger, { writer, persistPath });
    await next.close();
  });
});

describe('durability policies', () => {
  it("resolves submits under 'always' once durable, and refuses durable waits under 'none'", async () => {
    const rt = await StateRuntime.start(ledger, {
      writer: 'worker',
      persistPath: folder(),
      durability: 'always',
    });
    const v = await rt.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0 }));
    await expect(rt.settled(v, 'durable')).resolves.toBeUndefined();
    await rt.close();
    const none = await StateRuntime.start(ledger, {
      writer: 'inline',
      persistPath: folder(),
      durability: 'none',
    });
    const w = await none.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0 }));
    await expect(none.settled(w, 'durable')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await none.close();
    const memory = await StateRuntime.start(ledger, { writer: 'inline' });
    await expect(
      memory.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0 }), { policy: 'durable' }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(memory.checkpoint()).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await memory.close();
  });
});
