// A reader racing a refreshing writer (another process) always gets tables that belong to the
// metadata it returns: when a refresh removes the files between its two reads it reads again.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { openExport } from '../../src/persist/export/index.js';
import { cleanup, tempFolder } from './support.js';

const child = fileURLToPath(new URL('./fixtures/export-refresher.ts', import.meta.url));
let dir = '';
afterEach(() => cleanup(dir));

it('openExport under constant refreshes returns consistent versions', async () => {
  dir = tempFolder();
  const root = path.join(dir, 'x');
  const proc = spawn(process.execPath, ['--import', 'tsx', child, root, '2500'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  const done = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  let opened = 0;
  let last = 0;
  while (!exited) {
    await new Promise((r) => setImmediate(r));
    if (!fs.existsSync(path.join(root, 'state_metadata.json'))) continue;
    const e = openExport(root);
    // Version v holds (v - 1) * 200 rows, and versions never go back.
    expect(e.tables.t!.numRows).toBe((e.metadata.version - 1) * 200);
    expect(e.metadata.tables.t!.rows).toBe(e.tables.t!.numRows);
    expect(e.metadata.version).toBeGreaterThanOrEqual(last);
    last = e.metadata.version;
    opened++;
  }
  expect(await done).toBe(0);
  const refreshes = Number(out);
  expect(refreshes).toBeGreaterThan(10);
  expect(opened).toBeGreaterThan(10);
  expect(fs.readdirSync(root).filter((n) => n.startsWith('v-'))).toHaveLength(1);
}, 20_000);
