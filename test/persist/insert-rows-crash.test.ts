import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Row, StateRuntime, Store } from '../../src/index.js';
import { batchRows, rowsSchema } from '../support/insert-rows-data.js';

// An inline write's record of tx.insertRows is a load effect built when the log first reads it:
// after a kill -9, recovery must replay it into exactly the rows that were written.
const child = fileURLToPath(new URL('../fixtures/insert-rows-child.ts', import.meta.url));

/** Runs the child until it has acknowledged `acks` durable batches, then SIGKILLs it. */
function runAndKill(folder: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, folder], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let errors = '';
    let out = '';
    proc.stderr.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      seen += lines.filter((l) => l.startsWith('ack ')).length;
      if (seen >= acks && proc.exitCode === null) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`the child exited (${code}) before it was killed: ${errors}`));
    });
  });
}

const rowsOf = (read: (fn: (s: import('../../src/index.js').Snapshot) => Row[]) => Row[]) =>
  read((s) => Array.from({ length: s.count('t') }, (_, i) => s.getAt('t', i)));

describe('tx.insertRows in an inline durable runtime, killed with SIGKILL', () => {
  it('recovers every acknowledged batch from its log records, row for row', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'acs-insert-rows-'));
    try {
      const acked = await runAndKill(folder, 5);
      const rt = await StateRuntime.start(rowsSchema, { writer: 'inline', persistPath: folder, readers: 0 });
      try {
        expect(rt.recovery!.replayed).toBeGreaterThanOrEqual(acked);
        const got = rowsOf((fn) => rt.read(fn));
        // The same batches inserted row by row into a store of their own.
        const batches = got.length / batchRows(0).length;
        expect(Number.isInteger(batches) && batches >= acked).toBe(true);
        const expected = Store.create(rowsSchema);
        for (let b = 0; b < batches; b++) {
          expected.write((tx) => {
            for (const row of batchRows(b)) tx.insert('t', row);
          });
        }
        expect(got).toEqual(rowsOf((fn) => expected.read(fn)));
      } finally {
        await rt.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
