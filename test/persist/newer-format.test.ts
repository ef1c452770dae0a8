import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import { loadCheckpoint, writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([table('t', { a: int32() })]);
let dir = '';
afterEach(() => cleanup(dir));

function snapshotOfFolder(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(d, { recursive: true }) as string[]) {
    const p = path.join(d, e);
    if (fs.statSync(p).isFile()) out[e] = fs.readFileSync(p).toString('base64');
  }
  return out;
}

it('refuses a checkpoint or manifest of a newer format, and overwrites nothing', () => {
  dir = tempFolder();
  const store = Store.create(s);
  store.write((tx) => tx.insert('t', { a: 1 }));
  const w = store.read((snap) => writeCheckpoint(dir, snap));
  const info = path.join(w.path, 'checkpoint.json');
  fs.writeFileSync(info, fs.readFileSync(info, 'utf8').replace('"formatVersion": 1', '"formatVersion": 2'));
  // The manifest's checksum of checkpoint.json no longer holds: remove the manifest so the scan finds it.
  fs.rmSync(path.join(dir, 'manifest.json'));
  const before = snapshotOfFolder(dir);
  expect(() => loadCheckpoint(dir, s)).toThrowError(expect.objectContaining({ code: 'CHECKPOINT_FORMAT' }));
  expect(() => loadCheckpoint(dir, s)).toThrowError(w.path);
  store.write((tx) => tx.insert('t', { a: 2 }));
  expect(() => store.read((snap) => writeCheckpoint(dir, snap))).toThrowError(
    expect.objectContaining({ code: 'CHECKPOINT_FORMAT' }),
  );
  expect(snapshotOfFolder(dir)).toEqual(before);

  // A manifest of a newer format is refused the same way.
  const other = tempFolder();
  fs.writeFileSync(path.join(other, 'manifest.json'), JSON.stringify({ formatVersion: 9, checkpoints: [] }));
  expect(() => loadCheckpoint(other, s)).toThrowError(expect.objectContaining({ code: 'CHECKPOINT_FORMAT' }));
  expect(() => store.read((snap) => writeCheckpoint(other, snap))).toThrowError(
    expect.objectContaining({ code: 'CHECKPOINT_FORMAT' }),
  );
  expect(fs.readdirSync(other)).toEqual(['manifest.json']);
  cleanup(other);
  store.close();
});
