import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import { writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([table('t', { a: int32() }), table('u', { b: int32() })]);
let dir = '';
afterEach(() => cleanup(dir));

it.each(['feather', 'parquet'] as const)('%s checkpoints write files 0600 and folders 0700', (format) => {
  dir = tempFolder();
  const root = path.join(dir, 'state', 'persist');
  const store = Store.create(s);
  store.write((tx) => tx.insert('t', { a: 1 }));
  const w = store.read((snap) => writeCheckpoint(root, snap, { format }));
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  expect(mode(root)).toBe(0o700);
  expect(mode(path.join(dir, 'state'))).toBe(0o700);
  expect(mode(w.path)).toBe(0o700);
  expect(mode(path.join(root, 'manifest.json'))).toBe(0o600);
  const files = fs.readdirSync(w.path);
  expect(files.sort()).toEqual(['checkpoint.json', ...w.files.map((f) => f.file)].sort());
  for (const f of files) expect(mode(path.join(w.path, f))).toBe(0o600);
  // Nothing temporary is left behind.
  expect(fs.readdirSync(root).filter((n) => n !== 'manifest.json')).toEqual([path.basename(w.path)]);
  store.close();
});
