import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import { nextMessage } from '../support/workers.js';

describe('the built package', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  });

  it('runs in a plain worker thread and starts its reader worker, writer worker and reader pool from the built entries', async () => {
    const store = Store.create(schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]));
    store.write((tx) => {
      for (let i = 0; i < 10; i++) tx.insert('t', { id: i, v: i * i });
    });
    const worker = new Worker(new URL('../fixtures/built-package.mjs', import.meta.url), {
      workerData: store.handle(),
    });
    const result = await nextMessage<{
      seen: unknown;
      scan: { rows: number; sum: number };
      runtime: unknown;
    }>(worker);
    expect(result.seen).toEqual({ version: store.version, count: 10, row: { id: 7, v: 49 } });
    expect(result.scan).toMatchObject({ rows: 1000, sum: 999 * 1000 });
    expect(result.runtime).toEqual({ version: 2, rows: [{ total: 11 }] });
    await worker.terminate();
    store.close();
  });
});
