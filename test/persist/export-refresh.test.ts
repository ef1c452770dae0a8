// A refresh writes the new version into its own folder, swaps state_metadata.json and removes the
// folder the old metadata named; a reader holding an old file keeps reading it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterEach, expect, it } from 'vitest';
import { openExport, readExportMetadata, writeExport } from '../../src/persist/export/index.js';
import { allTypesStore, cleanup, itemRow, tempFolder } from './support.js';

let dir = '';
afterEach(() => cleanup(dir));

const vdir = (v: number) => `v-${String(v).padStart(16, '0')}`;

it('a refresh swaps the metadata and removes the folder it no longer names', () => {
  dir = tempFolder();
  const root = path.join(dir, 'x');
  const store = allTypesStore(5);
  const first = store.read((s) => writeExport(root, s, { incarnation: 'a' }));
  // A reader that opened a file of the first export before the refresh.
  const fd = fs.openSync(path.join(root, first.tables.items!.file), 'r');
  try {
    store.write((tx) => tx.insert('items', itemRow(5) as never));
    const second = store.read((s) => writeExport(root, s, { incarnation: 'a' }));
    expect(second.version).toBe(first.version + 1);
    expect(second.tables.items).toMatchObject({ file: `${vdir(second.version)}/items.arrow`, rows: 6 });
    expect(readExportMetadata(root)).toEqual(second);
    expect(fs.readdirSync(root).sort()).toEqual(['state_metadata.json', vdir(second.version)]);
    expect(openExport(root).tables.items!.numRows).toBe(6);
    // The old file is unlinked, but the descriptor still reads the whole old version.
    expect(fs.existsSync(path.join(root, first.tables.items!.file))).toBe(false);
    expect(tableFromIPC(fs.readFileSync(fd)).numRows).toBe(5);
  } finally {
    fs.closeSync(fd);
  }
  store.close();
});

it('the same version exported again (another incarnation) gets a fresh folder', () => {
  dir = tempFolder();
  const root = path.join(dir, 'x');
  const store = allTypesStore(3);
  const a = store.read((s) => writeExport(root, s, { incarnation: 'a' }));
  const b = store.read((s) => writeExport(root, s, { incarnation: 'b' }));
  expect(b.version).toBe(a.version);
  expect(b.incarnation).toBe('b');
  expect(b.tables.items!.file).toBe(`${vdir(b.version)}-1/items.arrow`);
  expect(fs.readdirSync(root).sort()).toEqual(['state_metadata.json', `${vdir(b.version)}-1`]);
  expect(openExport(root).metadata.incarnation).toBe('b');
  store.close();
});

it('metadata naming files that stay gone is refused after bounded retries', () => {
  dir = tempFolder();
  const root = path.join(dir, 'x');
  const store = allTypesStore(3);
  store.read((s) => writeExport(root, s, { incarnation: 'a' }));
  const stale = fs.readFileSync(path.join(root, 'state_metadata.json'));
  store.write((tx) => tx.insert('items', itemRow(3) as never));
  store.read((s) => writeExport(root, s, { incarnation: 'a' }));
  fs.writeFileSync(path.join(root, 'state_metadata.json'), stale);
  expect(() => openExport(root)).toThrow(expect.objectContaining({ code: 'PERSIST_IO' }));
  expect(() => openExport(path.join(dir, 'nowhere'))).toThrow(
    expect.objectContaining({ code: 'PERSIST_IO' }),
  );
  store.close();
});
