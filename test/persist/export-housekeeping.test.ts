// Export housekeeping: a newer format is refused, removeExport removes everything, the default
// root lies in shared memory (/dev/shm) where there is one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { defaultExportRoot, openExport, removeExport, writeExport } from '../../src/persist/export/index.js';
import { allTypesStore, cleanup, tempFolder } from './support.js';

let dir = '';
afterEach(() => cleanup(dir));

it('a newer export format is refused; removeExport removes it all', () => {
  dir = tempFolder();
  const root = path.join(dir, 'x');
  const store = allTypesStore(3);
  store.read((s) => writeExport(root, s, { incarnation: 'a' }));
  const file = path.join(root, 'state_metadata.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...m, format: 2 }));
  expect(() => openExport(root)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_FORMAT' }));
  removeExport(root);
  expect(fs.existsSync(root)).toBe(false);
  removeExport(root);
  expect(() => store.read((s) => writeExport(root, s, { incarnation: '' }))).toThrow(/incarnation/);
  store.close();
});

it('defaultExportRoot is under /dev/shm where it exists', () => {
  const shm = fs.existsSync('/dev/shm');
  expect(defaultExportRoot('store-a')).toMatch(
    shm ? /^\/dev\/shm\/arrow-cluster-state\/store-a$/ : /arrow-cluster-state[/\\]store-a$/,
  );
  expect(() => defaultExportRoot('../up')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
});
