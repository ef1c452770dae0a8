import * as fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import {
  checkpointName,
  readManifest,
  restoreCheckpoint,
  writeCheckpoint,
} from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([table('t', { a: int32() })]);
let dir = '';
afterEach(() => cleanup(dir));

it('keeps the newest N checkpoints, listed newest first, and removes the rest', () => {
  dir = tempFolder();
  const store = Store.create(s);
  const versions: number[] = [];
  for (let i = 0; i < 5; i++) {
    store.write((tx) => tx.insert('t', { a: i }));
    const w = store.read((snap) =>
      writeCheckpoint(dir, snap, { keep: 2, format: i % 2 ? 'parquet' : 'feather' }),
    );
    versions.push(w.version);
    if (i >= 2) expect(w.removed).toEqual([checkpointName(versions[i - 2]!)]);
  }
  const names = versions.slice(-2).reverse().map(checkpointName);
  expect(readManifest(dir)!.checkpoints.map((c) => c.name)).toEqual(names);
  expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', ...names].sort());
  // The default keeps 3; the one just written is always kept, even with keep 1.
  store.write((tx) => tx.insert('t', { a: 9 }));
  const last = store.read((snap) => writeCheckpoint(dir, snap, { keep: 1 }));
  expect(readManifest(dir)!.checkpoints.map((c) => c.version)).toEqual([last.version]);
  const restored = restoreCheckpoint(dir, s)!;
  expect(restored.store.read((snap) => snap.count('t'))).toBe(6);
  restored.store.close();
  expect(() => store.read((snap) => writeCheckpoint(dir, snap, { keep: 0 }))).toThrowError(
    expect.objectContaining({ code: 'INVALID_OPTION' }),
  );
  store.close();
});
