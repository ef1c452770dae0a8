import {
  Dictionary,
  Int32,
  Table,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  bool,
  decodeBatch,
  dictionary,
  encodeBatch,
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

// Every column type, nullable and not, with a string key, so that a load must write each kind of
// chunk: bitmaps, fixed values, dictionary codes of three widths, utf8 and list data blocks.
const every: Schema = schema([
  table(
    't',
    {
      id: dictionary('id'),
      b: bool({ nullable: true }),
      i8: int8(),
      i16: int16(),
      i32: int32({ nullable: true }),
      i64: int64(),
      u8: uint8(),
      u16: uint16(),
      u32: uint32(),
      f32: float32(),
      f64: float64({ nullable: true }),
      ts: timestamp({ nullable: true }),
      tag: dictionary('tag', { width: 8 }),
      kind: dictionary('kind', { width: 16, nullable: true }),
      note: utf8({ nullable: true }),
      tags: list(dictionary('tag', { width: 8 })),
      res: struct({ cpu: int32(), mem: int64(), label: dictionary('id', { nullable: true }) }),
    },
    { key: 'id' },
  ),
]);

function row(i: number) {
  return {
    id: `row-${i}`,
    b: i % 5 === 0 ? null : i % 2 === 0,
    i8: (i % 200) - 100,
    i16: i - 30_000,
    i32: i % 7 === 0 ? null : i * 3,
    i64: BigInt(i) * 10_000_000_000n,
    u8: i % 256,
    u16: i % 65_536,
    u32: i * 17,
    f32: i / 4,
    f64: i % 3 === 0 ? null : i / 3,
    ts: i % 11 === 0 ? null : 1_700_000_000_000 + i,
    tag: `t${i % 5}`,
    kind: i % 4 === 0 ? null : `k${i % 9}`,
    note: i % 6 === 0 ? null : `note ${i} ${'é'.repeat(i % 4)}`,
    tags: Array.from({ length: i % 4 }, (_, k) => `t${(i + k) % 7}`),
    res: { cpu: i % 64, mem: BigInt(i) << 20n, label: i % 3 === 0 ? null : `row-${(i * 7) % 50}` },
  };
}

/** A store of `every` holding rows [from, to), written with tx.insert. */
function inserted(from: number, to: number, rowGroupSize = 64): Store {
  const store = Store.create(every, { rowGroupSize });
  store.write((tx) => {
    for (let i = from; i < to; i++) tx.insert('t', row(i));
  });
  return store;
}

/** Every row of a table in storage order. */
const rowsOf = (store: Store, name: string): Row[] =>
  store.read((s) => Array.from({ length: s.count(name) }, (_, i) => s.getAt(name, i)));

/** Every row of table t in storage order. */
const rows = (store: Store): Row[] => rowsOf(store, 't');

describe('tx.load', () => {
  it('loads an Arrow table of every column type, keeping row order, keys and values', () => {
    const source = inserted(0, 1_000);
    // As a checkpoint would: the snapshot's Arrow view, through IPC bytes.
    const arrow = tableFromIPC(tableToIPC(source.read((s) => s.table('t'))));
    const target = Store.create(every, { rowGroupSize: 64 });
    const version = target.write((tx) => expect(tx.load('t', arrow)).toBe(1_000));
    expect(target.version).toBe(version);
    expect(rows(target)).toEqual(rows(source));
    target.read((s) => {
      for (let i = 0; i < 1_000; i++) expect(s.getAt('t', i)).toEqual(row(i));
      expect(s.get('t', 'row-777')).toEqual(row(777));
      expect(s.table('t').numRows).toBe(1_000);
    });
    // The loaded store writes on as any other.
    target.write((tx) => tx.update('t', 'row-5', { note: 'changed', tags: ['x'] }));
    expect(target.read((s) => s.get('t', 'row-5', ['note', 'tags']))).toEqual({
      note: 'changed',
      tags: ['x'],
    });
    source.close();
    target.close();
  });

  it('appends to a partly filled row group, in order, unseen by a pinned version', () => {
    const store = inserted(0, 100); // 64 + 36 rows: the last group has room
    const held = store.snapshot();
    const more = inserted(100, 250);
    const arrow = more.read((s) => s.table('t'));
    store.write((tx) => tx.load('t', arrow));
    expect(rows(store)).toEqual([...rows(inserted(0, 100)), ...rows(more)]);
    expect(held.count('t')).toBe(100);
    expect(Array.from({ length: 100 }, (_, i) => held.getAt('t', i))).toEqual(rows(inserted(0, 100)));
    held.release();
    store.close();
    more.close();
  });

  it('takes plain Utf8 for dictionary columns, several and sliced batches, and leaves out nullable columns', () => {
    const s = schema([
      table(
        'n',
        {
          name: dictionary('name'),
          role: dictionary('role', { width: 8 }),
          v: int32(),
          note: utf8({ nullable: true }),
        },
        { key: 'name' },
      ),
    ]);
    const store = Store.create(s, { rowGroupSize: 8 });
    const names = Array.from({ length: 50 }, (_, i) => `n${i}`);
    const whole = new Table({
      name: vectorFromArray(names, new Utf8()),
      role: vectorFromArray(
        names.map((_, i) => ['master', 'worker'][i % 2]!),
        new Dictionary(new Utf8(), new Int32()),
      ),
      v: vectorFromArray(Int32Array.from(names, (_, i) => i)),
    });
    // Batches of 7 and 43 rows, the second sliced from the middle of a longer batch.
    const first = whole.slice(0, 7);
    const rest = whole.slice(7);
    store.write((tx) => tx.load('n', [...first.batches, ...rest.batches]));
    store.read((snap) => {
      expect(snap.count('n')).toBe(50);
      for (let i = 0; i < 50; i++) {
        expect(snap.getAt('n', i)).toEqual({
          name: `n${i}`,
          role: i % 2 ? 'worker' : 'master',
          v: i,
          note: null,
        });
      }
      expect(snap.get('n', 'n42', ['v'])).toEqual({ v: 42 });
      // Two roles interned once each, however many rows name them.
      expect(snap.domainSize('role')).toBe(2);
    });
    store.close();
  });

  it('refuses bad input with a clear error and changes nothing', () => {
    const store = inserted(0, 10);
    const version = store.version;
    const before = rows(store);
    const good = inserted(10, 20).read((s) => s.table('t'));
    const cases: [string, () => unknown, RegExp][] = [
      [
        'UNKNOWN_COLUMN',
        () => new Table({ id: vectorFromArray(['x'], new Utf8()), zzz: vectorFromArray(Int32Array.of(1)) }),
        /zzz/,
      ],
      [
        'TYPE_MISMATCH',
        () =>
          good.select(['id', 'i8']).assign(tableFromArrays({ i8: Float64Array.of(...Array(10).fill(1)) })),
        /t\.i8/,
      ],
      ['NULL_NOT_ALLOWED', () => new Table({ id: vectorFromArray(['x', null], new Utf8()) }), /t\.(id|i8)/],
      ['DUPLICATE_KEY', () => inserted(5, 6).read((s) => s.table('t')), /row-5/],
      ['TYPE_MISMATCH', () => 'not a table', /Table/],
    ];
    for (const [code, make, message] of cases) {
      let caught: unknown;
      try {
        store.write((tx) => tx.load('t', make() as never));
      } catch (err) {
        caught = err;
      }
      expect(caught, code).toMatchObject({ code });
      expect((caught as Error).message).toMatch(message);
      expect(store.version).toBe(version);
      expect(rows(store)).toEqual(before);
    }
    // A key twice within one load.
    const twice = inserted(30, 31).read((s) => s.table('t'));
    expect(() => store.write((tx) => tx.load('t', [...twice.batches, ...twice.batches]))).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_KEY' }),
    );
    expect(rows(store)).toEqual(before);
    store.close();
  });

  it('refuses, unchanged, record batches of different schemas in one load', () => {
    const s = schema([table('n', { v: int32(), note: utf8({ nullable: true }) })]);
    const store = Store.create(s);
    const version = store.version;
    const a = new Table({ v: vectorFromArray(Int32Array.of(1, 2)) });
    const b = new Table({ v: vectorFromArray(Int32Array.of(3)), note: vectorFromArray(['x'], new Utf8()) });
    expect(() => store.write((tx) => tx.load('n', [...a.batches, ...b.batches]))).toThrow(
      expect.objectContaining({ code: 'TYPE_MISMATCH' }),
    );
    expect(store.version).toBe(version);
    expect(store.read((snap) => snap.count('n'))).toBe(0);
    // Each alone loads (a missing nullable column is null).
    store.write((tx) => {
      tx.load('n', a);
      tx.load('n', b);
    });
    expect(rowsOf(store, 'n')).toEqual([
      { v: 1, note: null },
      { v: 2, note: null },
      { v: 3, note: 'x' },
    ]);
    store.close();
  });

  it('records a load as one effect that replays, also through FlatBuffers bytes', () => {
    const source = inserted(0, 300);
    const arrow = source.read((s) => s.table('t'));
    const a = Store.create(every, { rowGroupSize: 64 });
    let recorded = null as ReturnType<typeof encodeBatch> | null;
    a.write((tx) => {
      tx.load('t', arrow);
      expect(tx.batch.effects).toHaveLength(1);
      expect(tx.batch.effects[0]).toMatchObject({ op: 'load', table: 't' });
      recorded = encodeBatch(tx.batch);
    });
    const b = Store.create(every, { rowGroupSize: 64 });
    b.apply(decodeBatch(recorded!).batch);
    expect(rows(b)).toEqual(rows(source));
    for (const s of [source, a, b]) s.close();
  });
});
