// Shared by the checkpoint tests: a schema with every column type, rows that reach each type's
// edges, temporary folders, and row-by-row reads of a store.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bool,
  dictionary,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  list,
  type Row,
  type Schema,
  Store,
  schema,
  struct,
  table,
  timestamp,
  uint8,
  uint16,
  uint32,
  utf8,
} from '../../src/index.js';

/** A fresh temporary folder; removed by `cleanup`. */
export function tempFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'acs-ckpt-'));
}

export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Every column type, nullable and not; `empty` stays empty, `nulls` has only null cells. */
export const allTypes: Schema = schema([
  table(
    'items',
    {
      id: int32(),
      name: dictionary('name'),
      tag: dictionary('tag', { nullable: true, width: 8 }),
      kind: dictionary('kind', { width: 16 }),
      text: utf8({ nullable: true }),
      flag: bool(),
      maybe: bool({ nullable: true }),
      i8: int8(),
      i16: int16({ nullable: true }),
      i64: int64({ nullable: true }),
      u8: uint8(),
      u16: uint16(),
      u32: uint32({ nullable: true }),
      f32: float32(),
      f64: float64({ nullable: true }),
      at: timestamp({ nullable: true }),
      names: list(dictionary('name'), { nullable: true }),
      res: struct({
        cpu: int32(),
        mem: int64({ nullable: true }),
        zone: dictionary('tag', { nullable: true }),
      }),
    },
    { key: 'id', rowGroupSize: 8 },
  ),
  table('empty', { k: dictionary('name'), v: float64({ nullable: true }) }, { key: 'k' }),
  table('nulls', { n: int32(), s: utf8({ nullable: true }), l: list(dictionary('tag'), { nullable: true }) }),
]);

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

/** Row `i` of `items`: edges of every type by turns, nulls in every nullable column. */
export function itemRow(i: number): Record<string, unknown> {
  const edge = i % 4;
  return {
    id: i,
    name: i % 3 === 0 ? `名前-${i}-😀` : `name-${i}`,
    tag: i % 5 === 0 ? null : `t${i % 7}`,
    kind: `kind-${i % 3}`,
    text: i % 6 === 1 ? null : i % 6 === 2 ? '' : `text ${i} 𝄞 \u{10FFFF} ü`,
    flag: i % 2 === 0,
    maybe: i % 3 === 0 ? null : i % 3 === 1,
    i8: edge === 0 ? -128 : edge === 1 ? 127 : i,
    i16: edge === 2 ? null : edge === 0 ? -32768 : 32767,
    i64: edge === 0 ? I64_MAX : edge === 1 ? I64_MIN : edge === 2 ? null : BigInt(i) * 1_000_000_007n,
    u8: edge === 0 ? 255 : 0,
    u16: edge === 0 ? 65535 : i,
    u32: edge === 0 ? 4294967295 : edge === 1 ? null : i,
    f32: edge === 0 ? 1.5 : edge === 1 ? Number.NEGATIVE_INFINITY : -0.25,
    f64: edge === 0 ? Number.NaN : edge === 1 ? null : edge === 2 ? -0 : i / 3,
    at: edge === 0 ? -8.64e15 : edge === 1 ? 8.64e15 : edge === 2 ? null : 1_767_225_600_000 + i,
    names: i % 4 === 3 ? null : i % 4 === 2 ? [] : [`name-${i}`, `名前-${i}-😀`, 'shared'],
    res: { cpu: i, mem: edge === 1 ? null : BigInt(i) << 40n, zone: i % 2 ? null : `z${i % 3}` },
  };
}

/** A store of `allTypes` with `rows` items and 3 all-null rows in `nulls`. */
export function allTypesStore(rows = 21): Store {
  const store = Store.create(allTypes);
  store.write((tx) => {
    for (let i = 0; i < rows; i++) tx.insert('items', itemRow(i) as never);
    for (let i = 0; i < 3; i++) tx.insert('nulls', { n: i, s: null, l: null });
  });
  return store;
}

/** Every row of every table of `store`'s newest version, by position (`getAt`). */
export function allRows(store: Store): Record<string, Row[]> {
  return store.read((s) => {
    const out: Record<string, Row[]> = {};
    for (const t of s.schema.tables) {
      out[t.name] = Array.from({ length: s.count(t.name) }, (_, i) => s.getAt(t.name, i));
    }
    return out;
  });
}
