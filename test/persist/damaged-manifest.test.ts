import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import { loadCheckpoint, readManifest, writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([table('t', { a: int32() })]);
let dir = '';
afterEach(() => cleanup(dir));

it('scans the checkpoint folders when manifest.json is damaged, and says so', () => {
  dir = tempFolder();
  const store = Store.create(s);
  const versions: number[] = [];
  for (let i = 0; i < 2; i++) {
    store.write((tx) => tx.insert('t', { a: i }));
    versions.push(store.read((snap) => writeCheckpoint(dir, snap)).version);
  }
  const manifest = path.join(dir, 'manifest.json');
  fs.writeFileSync(manifest, '{"formatVersion": 1, "checkp');
  expect(() => readManifest(dir)).toThrowError(expect.objectContaining({ code: 'CHECKPOINT_CORRUPT' }));

  const loaded = loadCheckpoint(dir, s)!;
  expect(loaded.version).toBe(versions[1]);
  expect(loaded.problems).toEqual([
    expect.objectContaining({ checkpoint: null, file: 'manifest.json', code: 'CHECKPOINT_CORRUPT' }),
  ]);
  expect(loaded.problems[0]!.message).toContain(manifest);

  // The next checkpoint writes a good manifest again, listing the folders it found.
  store.write((tx) => tx.insert('t', { a: 2 }));
  const w = store.read((snap) => writeCheckpoint(dir, snap));
  expect(readManifest(dir)!.checkpoints.map((c) => c.version)).toEqual([w.version, ...versions.reverse()]);
  expect(loadCheckpoint(dir, s)!.problems).toEqual([]);
  store.close();
});
