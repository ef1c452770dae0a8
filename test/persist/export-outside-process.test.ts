// A separate Node process with nothing but apache-arrow (no tsx, no code of this package) reads
// the shared-memory export: the metadata, then each table's Arrow IPC file.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { writeExport } from '../../src/persist/export/index.js';
import { allTypesStore, cleanup, tempFolder } from './support.js';

let dir = '';
afterEach(() => cleanup(dir));

const script = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
const root = process.argv[1];
const meta = JSON.parse(readFileSync(join(root, 'state_metadata.json'), 'utf8'));
const counts = {};
const tables = {};
for (const [name, t] of Object.entries(meta.tables)) {
  tables[name] = tableFromIPC(readFileSync(join(root, t.file)));
  counts[name] = tables[name].numRows;
}
const items = tables.items.toArray().map((r) => ({
  id: r.id,
  name: r.name,
  tag: r.tag,
  i64: r.i64 === null ? null : String(r.i64),
  at: r.at,
  names: r.names === null ? null : [...r.names],
  cpu: r.res.cpu,
  mem: r.res.mem === null ? null : String(r.res.mem),
}));
process.stdout.write(JSON.stringify({ version: meta.version, incarnation: meta.incarnation, counts, items }));
`;

it('a plain Node process reads the export with apache-arrow', () => {
  dir = tempFolder();
  const root = path.join(dir, 'shm', 'store');
  const store = allTypesStore(12);
  const written = store.read((s) => writeExport(root, s, { incarnation: 'run-9' }));
  // --input-type=module -e resolves 'apache-arrow' from the working directory: the package root.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, root], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  const got = JSON.parse(out);
  const want = store.read((s) => ({
    version: s.version,
    incarnation: 'run-9',
    counts: { items: 12, empty: 0, nulls: 3 },
    items: Array.from({ length: s.count('items') }, (_, i) => {
      const r = s.getAt('items', i) as Record<string, never>;
      const res = r.res as { cpu: number; mem: bigint | null };
      return {
        id: r.id,
        name: r.name,
        tag: r.tag,
        i64: r.i64 === null ? null : String(r.i64),
        at: r.at,
        names: r.names,
        cpu: res.cpu,
        mem: res.mem === null ? null : String(res.mem),
      };
    }),
  }));
  expect(got.version).toBe(written.version);
  expect(got).toEqual(want);
  store.close();
});
