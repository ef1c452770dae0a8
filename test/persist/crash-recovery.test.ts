import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StateRuntime } from '../../src/index.js';
import { ledger } from '../support/runtime.js';

const RUNS = Number(process.env.ACS_CRASH_RUNS ?? 20);
const child = fileURLToPath(new URL('../fixtures/crash-child.ts', import.meta.url));

/** Runs the child on `folder` until a random moment after its first durable batch, then SIGKILLs it. */
function runAndKill(folder: string, mode: string, seed: number): Promise<Map<number, number>> {
  const acked = new Map<number, number>();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, folder, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let errors = '';
    proc.stderr.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+) (\d+)$/.exec(line);
        if (m === null) continue;
        // The kill comes at a random moment once the load is on (the first acknowledgement).
        if (acked.size === 0) setTimeout(() => proc.kill('SIGKILL'), 20 + ((seed * 7919) % 500));
        acked.set(Number(m[1]), Number(m[2]));
      }
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`the child exited (${code}) before it was killed: ${errors}`));
    });
  });
}

describe.each([
  ['plain', RUNS],
  ['checkpoint', Math.ceil(RUNS / 2)],
])('a durable writer killed with SIGKILL (%s)', (mode, runs) => {
  it(`loses no acknowledged batch and half-applies none, over ${runs} kills`, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'acs-crash-'));
    try {
      const everAcked = new Map<number, number>();
      let lastVersion = 0;
      let replayed = 0;
      for (let run = 0; run < runs; run++) {
        const acked = await runAndKill(folder, mode, run + 1);
        for (const [id, v] of acked) everAcked.set(id, v);
        const rt = await StateRuntime.start(ledger, { writer: 'inline', persistPath: folder, readers: 0 });
        replayed += rt.recovery!.replayed;
        const state = rt.read((s) => {
          const ids = new Set<number>();
          for (let i = 0; i < s.count('audit'); i++) ids.add(s.getAt('audit', i, ['seq']).seq as number);
          return { ids, ops: s.get('accounts', 'a', ['ops'])?.ops as number | undefined, version: s.version };
        });
        // Every batch acknowledged as durable, in this run or an earlier one, is there...
        for (const id of everAcked.keys())
          expect(state.ids.has(id), `batch ${id} acknowledged, then lost`).toBe(true);
        // ...at a version at least the one it was acknowledged with, and versions never go back.
        expect(state.version).toBeGreaterThanOrEqual(Math.max(0, ...acked.values()));
        expect(state.version).toBeGreaterThanOrEqual(lastVersion);
        lastVersion = state.version;
        // Each batch is all or nothing: one audit row and one increment, or neither.
        expect(state.ops ?? 0).toBe(state.ids.size);
        await rt.close();
      }
      expect(everAcked.size).toBeGreaterThan(0);
      // The log was what recovered them, not only checkpoints.
      expect(replayed).toBeGreaterThan(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 600_000);
});
