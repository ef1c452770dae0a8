import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import {
  type CheckpointInfo,
  checkpointName,
  readManifest,
  restoreCheckpoint,
  writeCheckpoint,
} from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([table('t', { a: int32() })]);
let dir = '';
afterEach(() => cleanup(dir));

it('writes the store metadata, schema, sizes and checksums, and restores the metadata', () => {
  dir = tempFolder();
  const store = Store.create(s);
  store.write((tx) => {
    tx.insert('t', { a: 1 });
    tx.setMeta('cluster_id', 'c-42 ✓ 😀');
    tx.setMeta('epoch', 7);
    tx.setMeta('ratio', -0.5);
  });
  const w = store.read((snap) => writeCheckpoint(dir, snap));
  expect(path.basename(w.path)).toBe(checkpointName(w.version));
  expect(checkpointName(12)).toBe('checkpoint-0000000000000012');

  const info = JSON.parse(fs.readFileSync(path.join(w.path, 'checkpoint.json'), 'utf8')) as CheckpointInfo;
  expect(info).toMatchObject({ formatVersion: 1, version: w.version, format: 'feather', schema: s });
  expect(info.meta).toEqual({ cluster_id: 'c-42 ✓ 😀', epoch: 7, ratio: -0.5 });
  expect(typeof info.writtenAt).toBe('number');
  const file = fs.readFileSync(path.join(w.path, 't.arrow'));
  expect(info.files).toEqual([
    { table: 't', file: 't.arrow', rows: 1, bytes: file.byteLength, crc32: crc32(file) },
  ]);
  expect(w.bytes).toBe(file.byteLength);

  const manifest = readManifest(dir)!;
  expect(manifest.checkpoints).toEqual([
    {
      name: checkpointName(w.version),
      version: w.version,
      format: 'feather',
      writtenAt: info.writtenAt,
      crc32: crc32(fs.readFileSync(path.join(w.path, 'checkpoint.json'))),
    },
  ]);

  const restored = restoreCheckpoint(dir, s)!;
  expect(restored.meta).toEqual(info.meta);
  expect(restored.store.read((snap) => ({ ...snap.meta() }))).toEqual(info.meta);
  expect(restored.version).toBe(w.version);
  expect(restored.storeVersion).toBeGreaterThan(0);
  restored.store.close();
  store.close();
});
