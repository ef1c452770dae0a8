/**
 * The Arrow view of a snapshot: `snapshot.table()` equals the rows (nulls and extreme values
 * included), is built from the arena's own memory, survives an IPC round trip in both formats,
 * agrees with `snapshot.chunks()`, and keeps showing its version after later writes.
 */
import { type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bool,
  type ChunkView,
  type ColumnType,
  type FixedTypeName,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  type Row,
  type Snapshot,
  Store,
  schema,
  table,
  timestamp,
  uint8,
  uint16,
  uint32,
  type Value,
} from '../../src/index.js';

const T = 'all';
const GROUP = 8;
const ROWS = 50;
const GROUPS = Math.ceil(ROWS / GROUP);

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const F32_MAX = 3.4028234663852886e38;

/** Values per type, extremes first; every one is exactly representable in its column. */
const SAMPLES = {
  bool: [true, false, false],
  int8: [-128, 127, 0, -1, 42],
  int16: [-32_768, 32_767, 0, -1, 300],
  int32: [-(2 ** 31), 2 ** 31 - 1, 0, -1, 65_536],
  int64: [I64_MIN, I64_MAX, 0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n],
  uint8: [0, 255, 1, 128],
  uint16: [0, 65_535, 1, 32_768],
  uint32: [0, 4_294_967_295, 1, 2 ** 31],
  float32: [
    0,
    -0,
    1.5,
    -2.25,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    F32_MAX,
    -F32_MAX,
    2 ** -149,
  ],
  float64: [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    0.1,
  ],
  timestamp: [-8.64e15, 8.64e15, 0, -1, 1_700_000_000_123, -62_135_596_800_000],
} satisfies Record<FixedTypeName, readonly Value[]>;

type TypeName = keyof typeof SAMPLES;
const FACTORIES: Record<TypeName, (o?: { nullable?: boolean }) => ColumnType> = {
  bool,
  int8,
  int16,
  int32,
  int64,
  uint8,
  uint16,
  uint32,
  float32,
  float64,
  timestamp,
};
const TYPES = Object.keys(SAMPLES) as TypeName[];

/** One non-null and one nullable column of every type, plus the key. */
const COLUMNS: { name: string; type: TypeName; nullable: boolean }[] = TYPES.flatMap((type) => [
  { name: `${type}_v`, type, nullable: false },
  { name: `${type}_n`, type, nullable: true },
]);
const SCHEMA = schema([
  table(
    T,
    {
      id: int32(),
      ...Object.fromEntries(COLUMNS.map((c) => [c.name, FACTORIES[c.type]({ nullable: c.nullable })])),
    },
    { key: 'id' },
  ),
]);

/** Row `i`: every column cycles through its samples; nullable ones are null in every seventh row. */
function rowOf(i: number): Row {
  const row: Row = { id: i };
  COLUMNS.forEach((c, ci) => {
    const samples = SAMPLES[c.type];
    row[c.name] = c.nullable && i % 7 === ci % 7 ? null : samples[(i + ci) % samples.length]!;
  });
  return row;
}
const ROW_DATA: Row[] = Array.from({ length: ROWS }, (_, i) => rowOf(i));

/** Equality that tells NaN from NaN, -0 from 0 and bigint from number. */
function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b);
}

/** Every value of `tbl`, read through Arrow, against `rows` and the snapshot's own rows. */
function expectTableEquals(tbl: Table, rows: readonly Row[], snap: Snapshot | null): void {
  expect(tbl.numRows).toBe(rows.length);
  for (const name of ['id', ...COLUMNS.map((c) => c.name)]) {
    const vector = tbl.getChild(name);
    expect(vector, name).not.toBeNull();
    const nulls = rows.filter((r) => r[name] === null).length;
    expect(vector!.nullCount, `${name}: null count`).toBe(nulls);
    for (let i = 0; i < rows.length; i++) {
      const fromArrow = vector!.get(i);
      const expected = rows[i]![name];
      if (!same(fromArrow, expected)) {
        expect.fail(`${name}[${i}]: Arrow gives ${String(fromArrow)}, expected ${String(expected)}`);
      }
      if (snap !== null) {
        const fromRow = snap.getAt(T, i)[name];
        if (!same(fromArrow, fromRow)) {
          expect.fail(`${name}[${i}]: Arrow gives ${String(fromArrow)}, getAt gives ${String(fromRow)}`);
        }
      }
    }
  }
}

/** The values of one column's chunks, decoded as rows carry them. */
function decodeChunks(chunks: readonly ChunkView[], type: TypeName): Value[] {
  const out: Value[] = [];
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const valid = chunk.validity === null || (chunk.validity[i >> 3]! & (1 << (i & 7))) !== 0;
      if (!valid) {
        out.push(null);
      } else if (type === 'bool') {
        out.push(((chunk.values[i >> 3] as number) & (1 << (i & 7))) !== 0);
      } else if (type === 'timestamp') {
        out.push(Number(chunk.values[i] as bigint));
      } else {
        out.push(chunk.values[i]!);
      }
    }
  }
  return out;
}

describe('the Arrow view of a snapshot', () => {
  let store: Store;
  let snap: Snapshot;

  beforeEach(() => {
    store = Store.create(SCHEMA, { rowGroupSize: GROUP, segmentBytes: 65_536, debug: true });
    store.write((tx) => {
      for (const row of ROW_DATA) tx.insert(T, row);
    });
    snap = store.snapshot();
  });

  afterEach(() => {
    snap.release();
    store.close();
  });

  it('has one record batch per row group and the schema of the table', () => {
    const tbl = snap.table(T);
    expect(tbl.numRows).toBe(snap.count(T));
    expect(tbl.numRows).toBe(ROWS);
    expect(tbl.batches).toHaveLength(GROUPS);
    expect(tbl.batches.map((b) => b.numRows)).toEqual([8, 8, 8, 8, 8, 8, 2]);

    const fields = tbl.schema.fields;
    expect(fields.map((f) => f.name)).toEqual(['id', ...COLUMNS.map((c) => c.name)]);
    expect(fields.map((f) => f.nullable)).toEqual([false, ...COLUMNS.map((c) => c.nullable)]);
    expect(fields.map((f) => String(f.type))).toEqual([
      'Int32',
      ...COLUMNS.map(
        (c) =>
          ({
            bool: 'Bool',
            int8: 'Int8',
            int16: 'Int16',
            int32: 'Int32',
            int64: 'Int64',
            uint8: 'Uint8',
            uint16: 'Uint16',
            uint32: 'Uint32',
            float32: 'Float32',
            float64: 'Float64',
            timestamp: 'Timestamp<MILLISECOND>',
          })[c.type],
      ),
    ]);
  });

  it('gives every value of every row, nulls and extremes included, as getAt does', () => {
    // Sanity of the data itself: every sample of every column occurs, and nulls occur.
    for (const c of COLUMNS) {
      const values = ROW_DATA.map((r) => r[c.name]);
      for (const s of SAMPLES[c.type])
        expect(
          values.some((v) => same(v, s)),
          `${c.name} has ${s}`,
        ).toBe(true);
      expect(values.includes(null)).toBe(c.nullable);
    }
    expectTableEquals(snap.table(T), ROW_DATA, snap);
  });

  it('reads int64 as bigint and timestamps as millisecond numbers', () => {
    const tbl = snap.table(T);
    const i64 = ROW_DATA.findIndex((r) => r.int64_v === I64_MIN);
    expect(tbl.getChild('int64_v')!.get(i64)).toBe(I64_MIN);
    expect(tbl.getChild('int64_v')!.get(ROW_DATA.findIndex((r) => r.int64_v === I64_MAX))).toBe(I64_MAX);
    const ts = ROW_DATA.findIndex((r) => r.timestamp_v === -8.64e15);
    expect(tbl.getChild('timestamp_v')!.get(ts)).toBe(-8.64e15);
    expect(typeof tbl.getChild('timestamp_n')!.get(ROW_DATA.findIndex((r) => r.timestamp_n !== null))).toBe(
      'number',
    );
  });

  it.each(['stream', 'file'] as const)('survives tableToIPC / tableFromIPC in %s form', (format) => {
    const tbl = snap.table(T);
    const bytes = tableToIPC(tbl, format);
    const back = tableFromIPC(bytes);
    expect(back.batches).toHaveLength(GROUPS);
    expect(back.schema.fields.map((f) => [f.name, f.nullable, String(f.type)])).toEqual(
      tbl.schema.fields.map((f) => [f.name, f.nullable, String(f.type)]),
    );
    // The copy is independent of the arena: it stays right after the snapshot goes.
    snap.release();
    store.write((tx) => {
      for (let i = 0; i < ROWS; i++) tx.deleteAt(T, 0);
    });
    store.reclaim();
    expectTableEquals(back, ROW_DATA, null);
  });

  it("is the arena's memory, not a copy", () => {
    const tbl = snap.table(T);
    for (const c of COLUMNS) {
      const chunks = snap.chunks(T, c.name);
      const vector = tbl.getChild(c.name)!;
      expect(vector.data).toHaveLength(GROUPS);
      vector.data.forEach((data, g) => {
        const values = data.values as ArrayBufferView;
        expect(values.buffer, `${c.name} batch ${g}`).toBeInstanceOf(SharedArrayBuffer);
        // The same bytes as the raw chunk view.
        expect(values.buffer).toBe(chunks[g]!.values.buffer);
        expect(values.byteOffset).toBe(chunks[g]!.values.byteOffset);
        if (c.nullable) {
          // The validity bitmap sits in the same arena block, just before the values.
          expect(data.nullBitmap!.buffer).toBe(values.buffer);
          expect(data.nullBitmap!.byteOffset).toBeLessThan(values.byteOffset);
          expect(data.nullBitmap!.byteOffset).toBe(chunks[g]!.validity!.byteOffset);
        }
      });
    }
    expect((tbl.getChild('float64_n')!.data[0]!.values as Float64Array).buffer).toBeInstanceOf(
      SharedArrayBuffer,
    );
  });

  it('agrees with snapshot.chunks() for every column', () => {
    for (const c of [{ name: 'id', type: 'int32' as TypeName, nullable: false }, ...COLUMNS]) {
      const chunks = snap.chunks(T, c.name);
      expect(chunks.map((ch) => ch.length)).toEqual([8, 8, 8, 8, 8, 8, 2]);
      for (const ch of chunks) {
        expect(ch.values.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(ch.validity === null).toBe(!c.nullable);
        if (c.type === 'int64' || c.type === 'timestamp') expect(ch.values).toBeInstanceOf(BigInt64Array);
        if (c.type !== 'bool') expect(ch.values.length).toBe(ch.length);
      }
      const decoded = decodeChunks(chunks, c.type);
      const expected = ROW_DATA.map((r) => r[c.name]);
      decoded.forEach((v, i) => {
        if (!same(v, expected[i])) {
          expect.fail(`${c.name}[${i}]: chunk gives ${String(v)}, expected ${String(expected[i])}`);
        }
      });
      expect(decoded).toHaveLength(ROWS);
    }
  });

  it('shows an update in a new snapshot while the old snapshot keeps the old value', () => {
    const oldTable = snap.table(T);
    const key = 19; // row 19: the fourth row of the third row group
    const before = snap.get(T, key)!;
    const change: Row = {
      float64_n: 12.5,
      int64_v: 7n,
      timestamp_n: null,
      bool_v: !before.bool_v,
      uint8_n: 9,
    };
    store.write((tx) => tx.update(T, key, change));
    store.reclaim();

    const next = store.snapshot();
    try {
      const pos = next.locate(T, key);
      expect(pos).toBe(19);
      const newTable = next.table(T);
      // Batches of row groups the update did not touch are reused from the earlier call.
      newTable.batches.forEach((batch, g) => {
        if (g === 2) expect(batch, 'the changed row group').not.toBe(oldTable.batches[g]);
        else expect(batch, `unchanged row group ${g}`).toBe(oldTable.batches[g]);
      });
      for (const [name, value] of Object.entries(change)) {
        expect(newTable.getChild(name)!.get(pos), `new ${name}`).toBe(value);
        expect(oldTable.getChild(name)!.get(pos), `old view ${name}`).toBe(before[name]);
        expect(snap.table(T).getChild(name)!.get(pos), `old snapshot ${name}`).toBe(before[name]);
        expect(snap.chunks(T, name)[2]!.length).toBe(8);
      }
      expectTableEquals(
        newTable,
        ROW_DATA.map((r) => (r.id === key ? { ...r, ...change } : r)),
        next,
      );
      expectTableEquals(snap.table(T), ROW_DATA, snap);
      expectTableEquals(oldTable, ROW_DATA, null);
    } finally {
      next.release();
    }
  });
  it('does not serve a stale batch when a freed row-group block is reused by a later version', () => {
    // Fill this thread's batch cache with the current blocks, then let them be freed and reused.
    expectTableEquals(snap.table(T), ROW_DATA, snap);
    snap.release();
    let expected = ROW_DATA;
    for (let round = 1; round <= 4; round++) {
      // Two commits with nothing pinned: the first retires and frees the cached blocks, the second
      // allocates new blocks, which come from those freed ones.
      for (let k = 0; k < 2; k++) {
        const bump = round * 10 + k;
        store.write((tx) => {
          for (let i = 0; i < ROWS; i++) tx.updateAt(T, i, { uint8_v: bump, float64_n: bump + 0.5 });
        });
        store.reclaim();
        expected = expected.map((r) => ({ ...r, uint8_v: bump, float64_n: bump + 0.5 }));
      }
      const next = store.snapshot();
      try {
        expectTableEquals(next.table(T), expected, next);
      } finally {
        next.release();
      }
    }
    snap = store.snapshot();
  });
});
