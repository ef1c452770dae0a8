import { describe, expect, it } from 'vitest';
import { int32, Store, schema, table, utf8 } from '../../src/index.js';

// With 8 rows per row group and 64 row groups per directory page, a page holds 512 rows: these
// tables grow and shrink across several pages, so rows, chunks and Arrow views are read through
// page boundaries, and pages are made, copied and dropped while older versions are still pinned.
const GROUP = 8;
const PAGE_ROWS = GROUP * 64;

function create() {
  return Store.create(schema([table('t', { id: int32(), v: int32(), s: utf8() }, { key: 'id' })]), {
    rowGroupSize: GROUP,
    debug: true, // freed blocks are poisoned: a page still in use after being freed reads garbage
    reclaimInterval: 1,
  });
}

/** Every row of the version `store.read` pins, through get, getAt, chunks and the Arrow view. */
function contents(store: Store): Map<number, number> {
  return store.read((s) => {
    const byKey = new Map<number, number>();
    const n = s.count('t');
    for (let i = 0; i < n; i++) {
      const row = s.getAt('t', i);
      expect(s.get('t', row.id as number)).toEqual(row);
      expect(row.s).toBe(`row-${row.id}`);
      byKey.set(row.id as number, row.v as number);
    }
    const fromChunks: number[] = [];
    for (const c of s.chunks('t', 'v')) fromChunks.push(...(c.values as Int32Array));
    expect(fromChunks).toHaveLength(n);
    const arrow = s.table('t');
    expect(arrow.numRows).toBe(n);
    expect(arrow.getChild('v')!.toArray()).toEqual(Int32Array.from(fromChunks));
    return byKey;
  });
}

describe('the paged table directory', () => {
  it('keeps every row readable as a table grows and shrinks across directory pages', () => {
    const store = create();
    const model = new Map<number, number>();
    const rows = PAGE_ROWS * 3 + 37;
    for (let from = 0; from < rows; from += 100) {
      store.write((tx) => {
        for (let id = from; id < Math.min(rows, from + 100); id++) {
          tx.insert('t', { id, v: id * 2, s: `row-${id}` });
          model.set(id, id * 2);
        }
      });
    }
    expect(contents(store)).toEqual(model);

    // A snapshot pinned now must keep reading this version while pages are copied and dropped.
    const held = store.snapshot();
    const heldModel = new Map(model);
    // Single-row updates all over the table: each copies one page, not the whole directory.
    for (let k = 0; k < 300; k++) {
      const id = (k * 7919) % rows;
      store.write((tx) => tx.update('t', id, { v: -k }));
      model.set(id, -k);
    }
    // Delete down across two page boundaries (the last row moves into each hole), then grow again.
    for (let k = 0; k < PAGE_ROWS * 2; k++) {
      const id = (k * 104_729) % rows;
      if (!model.has(id)) continue;
      store.write((tx) => tx.delete('t', id));
      model.delete(id);
    }
    expect(store.read((s) => s.count('t'))).toBe(model.size);
    expect(contents(store)).toEqual(model);
    store.write((tx) => {
      for (let id = rows; id < rows + PAGE_ROWS + 3; id++) {
        tx.insert('t', { id, v: id, s: `row-${id}` });
        model.set(id, id);
      }
    });
    expect(contents(store)).toEqual(model);

    // The held version saw none of it.
    const seen = new Map<number, number>();
    for (let i = 0; i < held.count('t'); i++) {
      const row = held.getAt('t', i);
      seen.set(row.id as number, row.v as number);
    }
    expect(seen).toEqual(heldModel);
    expect(held.table('t').numRows).toBe(heldModel.size);
    held.release();
    store.reclaim();
    expect(contents(store)).toEqual(model);
    store.close();
  });

  it('drops a directory page with its last row group, and makes a new one when rows come back', () => {
    const store = create();
    store.write((tx) => {
      for (let id = 0; id < PAGE_ROWS; id++) tx.insert('t', { id, v: id, s: `row-${id}` });
    });
    store.reclaim();
    const onePage = store.stats().usedBytes;
    // Row PAGE_ROWS is alone in the first group of the second page: each insert makes that group
    // and page, each delete drops both. Nothing may be left behind, however often it happens.
    for (let k = 0; k < 200; k++) {
      store.write((tx) => tx.insert('t', { id: PAGE_ROWS, v: k, s: `row-${PAGE_ROWS}` }));
      expect(store.read((s) => s.get('t', PAGE_ROWS, ['v']))).toEqual({ v: k });
      store.write((tx) => tx.delete('t', PAGE_ROWS));
    }
    store.reclaim();
    expect(store.stats().usedBytes).toBe(onePage);
    expect(contents(store).size).toBe(PAGE_ROWS);
    store.close();
  });
});
