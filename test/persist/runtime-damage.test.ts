import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger } from '../support/runtime.js';

/** A folder whose log holds 40 records after the checkpoint close() wrote was taken away. */
async function folderWithLog(): Promise<string> {
  const persistPath = mkdtempSync(join(tmpdir(), 'acs-damage-'));
  const rt = await StateRuntime.start(ledger, { writer: 'inline', persistPath });
  for (let i = 0; i < 40; i++) await rt.submit(batch().insert('audit', { seq: i, producer: 'p' }));
  await rt.close();
  // Without checkpoints, opening must replay the whole log.
  for (const f of readdirSync(persistPath))
    if (f.startsWith('checkpoint-') || f === 'manifest.json')
      rmSync(join(persistPath, f), { recursive: true });
  return persistPath;
}

describe('opening a damaged folder', () => {
  it('refuses a flipped byte in the middle of the log with WAL_CORRUPT naming the segment, and repairs on request', async () => {
    const persistPath = await folderWithLog();
    try {
      const wal = join(persistPath, 'wal');
      const segment = readdirSync(wal).find((f) => f.endsWith('.log'))!;
      const bytes = readFileSync(join(wal, segment));
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = bytes[middle]! ^ 0xff;
      writeFileSync(join(wal, segment), bytes);

      const refused = StateRuntime.start(ledger, { writer: 'inline', persistPath });
      await expect(refused).rejects.toMatchObject({ code: 'WAL_CORRUPT' });
      await expect(refused).rejects.toThrow(segment);
      // Refusing changed nothing: the same bytes are there.
      expect(readFileSync(join(wal, segment)).equals(bytes)).toBe(true);

      const repaired = await StateRuntime.start(ledger, { writer: 'inline', persistPath, repair: true });
      const kept = repaired.read((s) => s.count('audit'));
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(40);
      // Reported: the valid records found after the damaged one (which is lost with them).
      expect(repaired.recovery!.dropped!.versions.length).toBe(40 - kept - 1);
      expect(repaired.version).toBe(1 + kept);
      await repaired.close();
    } finally {
      rmSync(persistPath, { recursive: true, force: true });
    }
  });

  it('cuts a torn tail (an incomplete last record) and reports it', async () => {
    const persistPath = await folderWithLog();
    try {
      const wal = join(persistPath, 'wal');
      const segment = readdirSync(wal).find((f) => f.endsWith('.log'))!;
      const bytes = readFileSync(join(wal, segment));
      writeFileSync(join(wal, segment), bytes.subarray(0, bytes.length - 10));
      const rt = await StateRuntime.start(ledger, { writer: 'inline', persistPath });
      expect(rt.recovery!.torn).not.toBeNull();
      expect(rt.read((s) => s.count('audit'))).toBe(39);
      await rt.close();
    } finally {
      rmSync(persistPath, { recursive: true, force: true });
    }
  });

  it('refuses a persistence path that is a file, with PERSIST_IO, and leaves it alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-damage-'));
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'mine');
    try {
      await expect(StateRuntime.start(ledger, { writer: 'inline', persistPath: file })).rejects.toMatchObject(
        {
          code: 'PERSIST_IO',
        },
      );
      expect(readFileSync(file, 'utf8')).toBe('mine');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
