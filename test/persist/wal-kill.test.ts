// A writer process killed with SIGKILL at a random moment while appending (fixtures/wal-child.ts,
// through tsx): recovery keeps every record up to the last whole one, byte for byte, and nothing of
// a half-written one; the writer then goes on after it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWal, WalWriter } from '../../src/persist/wal/index.js';
import { fastPayload, lengthOf, payload, tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

const child = fileURLToPath(new URL('./fixtures/wal-child.ts', import.meta.url));

/** Starts the child, waits until it wrote a first group, then `delayMs` more, and kills it. */
async function runAndKill(delayMs: number): Promise<number> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', child, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let reported = 0;
  let buffered = '';
  const started = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      if (lines.length > 0) reported = Number(lines[lines.length - 1]);
      resolve();
    });
    proc.on('exit', (code, signal) => reject(new Error(`child exited early: ${code} ${signal}`)));
  });
  await started;
  await new Promise((r) => setTimeout(r, delayMs));
  const exited = new Promise<NodeJS.Signals | null>((r) => proc.on('exit', (_code, signal) => r(signal)));
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return reported;
}

describe('a writer killed with SIGKILL', () => {
  for (const round of [0, 1, 2]) {
    it(`recovers every whole record and nothing after it (round ${round})`, async () => {
      const reported = await runAndKill(20 + Math.floor(Math.random() * 300));
      // Readonly first: a torn tail, if any, is the end, and nothing before it is refused.
      const ro = readWal(dir, { mode: 'readonly' });
      expect(ro.dropped).toBeNull();
      const rec = readWal(dir);
      expect(rec.dropped).toBeNull();
      expect(rec.records.map((r) => r.version)).toEqual(ro.records.map((r) => r.version));
      const last = rec.lastVersion!;
      // Everything the child said was written is there (and perhaps a few groups more).
      expect(last).toBeGreaterThanOrEqual(reported);
      expect(rec.records).toHaveLength(last);
      for (let i = 0; i < rec.records.length; i++) {
        const r = rec.records[i]!;
        expect(r.version).toBe(i + 1);
        const want = fastPayload(r.version, lengthOf(r.version, 1024 * 1024));
        if (!Buffer.from(r.bytes).equals(Buffer.from(want))) throw new Error(`version ${r.version} differs`);
      }
      // The cut is final: a second recovery finds a whole log, and the writer appends after it.
      expect(readWal(dir).torn).toBeNull();
      const wal = WalWriter.open(dir, { lastVersion: last });
      wal.append(last + 1, payload(last + 1, 100));
      wal.close();
      expect(readWal(dir, { after: last }).records.map((r) => r.version)).toEqual([last + 1]);
    });
  }
});
