import { afterEach, describe, expect, it } from 'vitest';
import { restoreCheckpoint, writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { allRows, allTypes, allTypesStore, cleanup, tempFolder } from './support.js';

// Every column type (edges, nulls, all-null columns, empty tables, lists, structs, int64 extremes,
// timestamps, strings above U+FFFF) comes back row by row equal, through each format.
describe.each(['feather', 'parquet'] as const)('a %s checkpoint', (format) => {
  let dir = '';
  afterEach(() => cleanup(dir));

  it('restores every row of every table, equal cell by cell', () => {
    dir = tempFolder();
    const store = allTypesStore(37);
    const snap = store.snapshot();
    const written = writeCheckpoint(dir, snap, { format });
    expect(written.version).toBe(snap.version);
    expect(written.files.map((f) => f.table)).toEqual(['items', 'empty', 'nulls']);
    expect(written.files.every((f) => f.bytes > 0)).toBe(true);
    snap.release();

    const restored = restoreCheckpoint(dir, allTypes);
    expect(restored).not.toBeNull();
    expect(restored!.version).toBe(written.version);
    expect(restored!.problems).toEqual([]);
    const want = allRows(store);
    expect(want.items).toHaveLength(37);
    expect(want.empty).toHaveLength(0);
    const got = allRows(restored!.store);
    expect(got).toEqual(want);
    // The edges really are there, and survived exactly (-0 and NaN included).
    expect(got.items![0]).toMatchObject({ i64: 2n ** 63n - 1n, u32: 4294967295, at: -8.64e15, i8: -128 });
    expect(got.items![1]).toMatchObject({ i64: -(2n ** 63n), at: 8.64e15, f32: Number.NEGATIVE_INFINITY });
    expect(Object.is(got.items![2]!.f64, -0)).toBe(true);
    expect(Number.isNaN(got.items![0]!.f64)).toBe(true);
    expect(got.items![3]!.name).toBe('名前-3-😀');
    expect(got.nulls).toEqual([0, 1, 2].map((n) => ({ n, s: null, l: null })));
    // Keys index the restored rows, including string keys above U+FFFF.
    restored!.store.read((s) => {
      expect(s.get('items', 3)).toEqual(want.items![3]);
      expect(s.locate('items', 36)).toBe(36);
    });
    restored!.store.close();
    store.close();
  });

  it('restores a store whose tables are all empty', () => {
    dir = tempFolder();
    const store = allTypesStore(0);
    store.write((tx) => {
      for (let i = 0; i < 3; i++) tx.deleteAt('nulls', 0);
    });
    store.read((s) => writeCheckpoint(dir, s, { format }));
    const restored = restoreCheckpoint(dir, allTypes)!;
    expect(allRows(restored.store)).toEqual({ items: [], empty: [], nulls: [] });
    restored.store.close();
    store.close();
  });
});
