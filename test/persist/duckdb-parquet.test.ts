// DuckDB (@duckdb/node-api, a dev dependency) reads a Parquet checkpoint's table files with
// read_parquet: counts, aggregates and rows match the store's, dictionaries, lists, structs,
// int64 extremes, timestamps and nulls included.
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, expect, it } from 'vitest';
import { writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { allTypesStore, cleanup, tempFolder } from './support.js';

let dir = '';
afterEach(() => cleanup(dir));

type Json = Record<string, unknown>;

async function sql(query: string): Promise<Json[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(query)).getRowObjectsJson() as Json[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

it('DuckDB reads a Parquet checkpoint and its rows match', async () => {
  dir = tempFolder();
  const store = allTypesStore(25);
  const w = store.read((s) => writeCheckpoint(dir, s, { format: 'parquet' }));
  const file = (t: string) => path.join(w.path, `${t}.parquet`).replaceAll("'", "''");

  const [agg] = await sql(
    `SELECT count(*) AS n, sum(id) AS ids, count(tag) AS tags, count(DISTINCT name) AS names,
            min(i64) AS lo, max(i64) AS hi, count("at") AS ats, sum(len(names)) AS listed
     FROM read_parquet('${file('items')}')`,
  );
  const rows = store.read((s) => Array.from({ length: s.count('items') }, (_, i) => s.getAt('items', i)));
  const i64s = rows
    .map((r) => r.i64 as bigint | null)
    .filter((x) => x !== null)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  expect(agg).toEqual({
    n: '25',
    ids: String(rows.reduce((a, r) => a + (r.id as number), 0)),
    tags: String(rows.filter((r) => r.tag !== null).length),
    names: String(new Set(rows.map((r) => r.name)).size),
    lo: String(i64s[0]),
    hi: String(i64s.at(-1)),
    ats: String(rows.filter((r) => r.at !== null).length),
    listed: String(rows.reduce((a, r) => a + ((r.names as string[] | null)?.length ?? 0), 0)),
  });

  const got = await sql(
    `SELECT id, name, tag, text, i64, epoch_ms("at") AS "at", names, res.cpu AS cpu, res.mem AS mem, res.zone AS zone
     FROM read_parquet('${file('items')}') ORDER BY id`,
  );
  const str = (x: unknown) => (x === null ? null : String(x));
  expect(got).toEqual(
    rows.map((r) => {
      const res = r.res as { cpu: number; mem: bigint | null; zone: string | null };
      return {
        id: r.id,
        name: r.name,
        tag: r.tag,
        text: r.text,
        i64: str(r.i64),
        at: str(r.at),
        names: r.names,
        cpu: res.cpu,
        mem: str(res.mem),
        zone: res.zone,
      };
    }),
  );
  expect(await sql(`SELECT count(*) AS n, count(s) AS s FROM read_parquet('${file('nulls')}')`)).toEqual([
    { n: '3', s: '0' },
  ]);
  expect(await sql(`SELECT count(*) AS n FROM read_parquet('${file('empty')}')`)).toEqual([{ n: '0' }]);
  store.close();
});
