// The shared-memory export holds every row of every table as the snapshot has it, with the
// metadata (version, incarnation, schema, store metadata, files) and owner-only modes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openExport, readExportMetadata, writeExport } from '../../src/persist/export/index.js';
import { arrowRows } from './export-support.js';
import { allTypes, allTypesStore, cleanup, tempFolder } from './support.js';

let dir = '';
afterEach(() => cleanup(dir));

it('round trip: the export reads back equal to the snapshot, every column type', () => {
  dir = tempFolder();
  const root = path.join(dir, 'export', 'store-a');
  const store = allTypesStore(37);
  store.write((tx) => {
    tx.setMeta('leader', 'node-7');
    tx.setMeta('term', 3);
  });
  const snap = store.snapshot();
  const written = writeExport(root, snap, { incarnation: 'inc-1' });

  expect(written).toMatchObject({
    format: 1,
    version: snap.version,
    incarnation: 'inc-1',
    committedAt: snap.committedAt,
    meta: { leader: 'node-7', term: 3 },
  });
  expect(written.writtenAt).toBeGreaterThanOrEqual(snap.committedAt);
  expect(JSON.parse(JSON.stringify(written.schema))).toEqual(JSON.parse(JSON.stringify(allTypes)));
  const dirName = `v-${String(snap.version).padStart(16, '0')}`;
  expect(written.tables).toEqual({
    items: { file: `${dirName}/items.arrow`, rows: 37, bytes: expect.any(Number) },
    empty: { file: `${dirName}/empty.arrow`, rows: 0, bytes: expect.any(Number) },
    nulls: { file: `${dirName}/nulls.arrow`, rows: 3, bytes: expect.any(Number) },
  });
  // The file on disk is the metadata returned; the alias reads the same.
  expect(readExportMetadata(root)).toEqual(written);
  expect(readExportMetadata(path.join(root, 'state_metadata.json'))).toEqual(written);

  const opened = openExport(root);
  expect(opened.metadata).toEqual(written);
  expect(Object.keys(opened.tables)).toEqual(['items', 'empty', 'nulls']);
  for (const t of allTypes.tables) {
    const got = opened.tables[t.name]!;
    expect(got.schema.fields.map((f) => f.name)).toEqual(t.columns.map((c) => c.name));
    expect(got.numRows).toBe(snap.count(t.name));
    // Cell by cell equal to the store's own rows (getAt), bigints, NaN, -0 and nulls included.
    const want = Array.from({ length: snap.count(t.name) }, (_, i) => snap.getAt(t.name, i));
    expect(arrowRows(got)).toEqual(want);
  }
  // Dictionary columns stay dictionary-encoded in the files.
  expect(String(opened.tables.items!.schema.fields[1]!.type)).toMatch(/^Dictionary/);
  const items = arrowRows(opened.tables.items!);
  expect(items[0]).toMatchObject({ i64: 2n ** 63n - 1n, at: -8.64e15, u32: 4294967295 });
  expect(items[1]).toMatchObject({ i64: -(2n ** 63n), res: { cpu: 1, mem: null } });
  expect(items[3]).toMatchObject({ name: '名前-3-😀', names: null });
  expect(Object.is(items[2]!.f64, -0)).toBe(true);

  // Owner only: folders 0700, files 0600.
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  expect(mode(root)).toBe(0o700);
  expect(mode(path.join(root, dirName))).toBe(0o700);
  expect(mode(path.join(root, 'state_metadata.json'))).toBe(0o600);
  for (const t of Object.values(written.tables)) expect(mode(path.join(root, t.file))).toBe(0o600);
  expect(fs.readdirSync(root).sort()).toEqual(['state_metadata.json', dirName]);
  snap.release();
  store.close();
});
