import { blockSize } from '../../memory/size-class.js';
import {
  type ColumnLayout,
  DIR_ENTRY,
  DIR_HEADER,
  DIR_PAGE_BYTES,
  DIR_PAGE_MASK,
  DIR_PAGE_SHIFT,
  E_BIRTH,
  E_DATA_BIRTH,
  E_DATA_CAP,
  E_DATA_END,
  E_DATA_HWM,
  E_DATA_OFF,
  E_DATA_SEG,
  E_HWM,
  E_OFF,
  E_SEG,
  GROUP_ENTRY,
  GROUP_HEADER,
  offOf,
  packRef,
  segOf,
} from '../layout.js';
import { groupAt } from '../read.js';
import type { TxCore, TxTable } from './core.js';

/*
 * A table's blocks inside a transaction: its directory (a small top block of pages, each page
 * naming DIR_PAGE_GROUPS row groups), its row-group blocks and their chunks, each made writable by
 * copying it the first time the transaction changes it. A one-row change so copies one chunk per
 * column it writes, its row-group block, one directory page and the top block, whatever the size
 * of the table.
 */

const topBytes = (pages: number) => (DIR_HEADER + DIR_ENTRY * pages) * 8;
const pagesOfTop = (bytes: number) => Math.floor((blockSize(bytes) / 8 - DIR_HEADER) / DIR_ENTRY);
const pagesFor = (groups: number) => (groups + DIR_PAGE_MASK) >>> DIR_PAGE_SHIFT;

/** The block of row group `g` (as this transaction left it). */
export function groupRef(tx: TxCore, ts: TxTable, g: number): number {
  return groupAt(tx.arena, segOf(ts.dir), offOf(ts.dir), g);
}

/** The chunk of column `col` in the row group block `gRef`. */
export function chunkOf(tx: TxCore, gRef: number, col: ColumnLayout): number {
  const f64 = tx.views(gRef).f64;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  return packRef(f64[e]!, f64[e + 1]!);
}

/** Makes row group `g` writable, copying its block the first time in this transaction. */
export function groupForWrite(tx: TxCore, ts: TxTable, g: number): number {
  // A transaction that writes many rows of a group finds it copied already: the top block and the
  // page that name it were copied with it, so three birth checks answer.
  if (ts.dirBirth === tx.version) {
    const top = tx.views(ts.dir).f64;
    const te = (offOf(ts.dir) >> 3) + DIR_HEADER + (g >>> DIR_PAGE_SHIFT) * DIR_ENTRY;
    if (top[te + 2] === tx.version) {
      const dir = tx.arena.get(top[te]!).f64;
      const e = (top[te + 1]! >> 3) + (g & DIR_PAGE_MASK) * DIR_ENTRY;
      if (dir[e + 2] === tx.version) return packRef(dir[e]!, dir[e + 1]!);
    }
  }
  const page = pageForWrite(tx, ts, topForWrite(tx, ts, ts.groups), g >>> DIR_PAGE_SHIFT);
  const dir = tx.views(page).f64;
  const e = (offOf(page) >> 3) + (g & DIR_PAGE_MASK) * DIR_ENTRY;
  const birth = dir[e + 2]!;
  const old = packRef(dir[e]!, dir[e + 1]!);
  if (birth === tx.version) return old;
  const bytes = ts.layout.groupBytes;
  const ref = tx.alloc(bytes);
  tx.copy(old, ref, bytes);
  // Every version that saw the old block saw its row count: those rows of its chunks are now
  // visible, so raise each chunk's high-water mark to it.
  const f64 = tx.views(ref).f64;
  const b = offOf(ref) >> 3;
  const count = f64[b]!;
  const columns = ts.layout.columns;
  for (let c = 0, w = b + GROUP_HEADER; c < columns.length; c++, w += GROUP_ENTRY) {
    if (f64[w + E_HWM]! < count) f64[w + E_HWM] = count;
    // Likewise the items of those rows: data past offsets[count] (E_DATA_END) was never visible.
    if (columns[c]!.kind !== 'fixed' && f64[w + E_DATA_HWM]! < f64[w + E_DATA_END]!) {
      f64[w + E_DATA_HWM] = f64[w + E_DATA_END]!;
    }
  }
  tx.drop(old, bytes, birth);
  dir[e] = segOf(ref);
  dir[e + 1] = offOf(ref);
  dir[e + 2] = tx.version;
  return ref;
}

/** Appends an empty row group with fresh chunks. */
export function newGroup(tx: TxCore, ts: TxTable): number {
  const g = ts.groups;
  const top = topForWrite(tx, ts, g + 1);
  const d = offOf(ts.dir) >> 3;
  let page: number;
  if ((g & DIR_PAGE_MASK) === 0) {
    // The first group of a page: the page is new too.
    page = tx.alloc(DIR_PAGE_BYTES);
    const pe = d + DIR_HEADER + (g >>> DIR_PAGE_SHIFT) * DIR_ENTRY;
    top[pe] = segOf(page);
    top[pe + 1] = offOf(page);
    top[pe + 2] = tx.version;
  } else {
    page = pageForWrite(tx, ts, top, g >>> DIR_PAGE_SHIFT);
  }
  const t = ts.layout;
  const ref = tx.alloc(t.groupBytes);
  const f64 = tx.views(ref).f64;
  const b = offOf(ref) >> 3;
  f64[b] = 0;
  f64[b + 1] = 0;
  for (let c = 0, w = b + GROUP_HEADER; c < t.columns.length; c++, w += GROUP_ENTRY) {
    const col = t.columns[c]!;
    const chunk = tx.alloc(col.chunkBytes);
    f64.fill(0, w, w + GROUP_ENTRY);
    f64[w + E_SEG] = segOf(chunk);
    f64[w + E_OFF] = offOf(chunk);
    f64[w + E_BIRTH] = tx.version;
    f64[w + E_DATA_SEG] = -1;
    if (col.kind !== 'fixed') tx.arena.get(segOf(chunk)).i32[(offOf(chunk) + col.validityBytes) >> 2] = 0;
  }
  const dir = tx.views(page).f64;
  const e = (offOf(page) >> 3) + (g & DIR_PAGE_MASK) * DIR_ENTRY;
  dir[e] = segOf(ref);
  dir[e + 1] = offOf(ref);
  dir[e + 2] = tx.version;
  top[d] = g + 1;
  ts.groups = g + 1;
  return ref;
}

/** Removes the table's last row group, which has become empty (and its page, if it was the page's only one). */
export function dropGroup(tx: TxCore, ts: TxTable, g: number): void {
  const top = topForWrite(tx, ts, ts.groups);
  const d = offOf(ts.dir) >> 3;
  const pe = d + DIR_HEADER + (g >>> DIR_PAGE_SHIFT) * DIR_ENTRY;
  const page = packRef(top[pe]!, top[pe + 1]!);
  // The page itself need not be written: entries past the group count are never read.
  const dir = tx.views(page).f64;
  const e = (offOf(page) >> 3) + (g & DIR_PAGE_MASK) * DIR_ENTRY;
  const gRef = packRef(dir[e]!, dir[e + 1]!);
  const f64 = tx.views(gRef).f64;
  const b = offOf(gRef) >> 3;
  const t = ts.layout;
  for (let c = 0, w = b + GROUP_HEADER; c < t.columns.length; c++, w += GROUP_ENTRY) {
    const col = t.columns[c]!;
    tx.drop(packRef(f64[w + E_SEG]!, f64[w + E_OFF]!), col.chunkBytes, f64[w + E_BIRTH]!);
    if (col.kind !== 'fixed' && f64[w + E_DATA_SEG]! >= 0) {
      const unit = col.kind === 'list' ? 4 : 1;
      tx.drop(
        packRef(f64[w + E_DATA_SEG]!, f64[w + E_DATA_OFF]!),
        f64[w + E_DATA_CAP]! * unit,
        f64[w + E_DATA_BIRTH]!,
      );
    }
  }
  tx.drop(gRef, t.groupBytes, dir[e + 2]!);
  if ((g & DIR_PAGE_MASK) === 0) tx.drop(page, DIR_PAGE_BYTES, top[pe + 2]!);
  top[d] = g;
  ts.groups = g;
}

/**
 * A writable chunk of column `col` in the writable group `gRef`, for a write at row `row`: the
 * chunk itself if this transaction made it or the row is past its high-water mark, else a copy.
 */
export function chunkForWrite(tx: TxCore, gRef: number, col: ColumnLayout, row: number): number {
  const f64 = tx.views(gRef).f64;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  const old = packRef(f64[e]!, f64[e + 1]!);
  const birth = f64[e + 2]!;
  if (birth === tx.version || row >= f64[e + 3]!) return old;
  const ref = tx.alloc(col.chunkBytes);
  tx.copy(old, ref, col.chunkBytes);
  tx.drop(old, col.chunkBytes, birth);
  f64[e] = segOf(ref);
  f64[e + 1] = offOf(ref);
  f64[e + 2] = tx.version;
  f64[e + 3] = 0;
  return ref;
}

/** Makes the table's top directory writable, with room for the pages of `groups` row groups. */
function topForWrite(tx: TxCore, ts: TxTable, groups: number): Float64Array {
  const pages = pagesFor(groups);
  if (ts.dir >= 0 && ts.dirBirth === tx.version && ts.dirCap >= pages) return tx.views(ts.dir).f64;
  const bytes = topBytes(Math.max(pages, 4, pages > ts.dirCap ? ts.dirCap * 2 : ts.dirCap));
  const ref = tx.alloc(bytes);
  const cap = pagesOfTop(bytes);
  if (ts.dir >= 0) {
    tx.copy(ts.dir, ref, topBytes(pagesFor(ts.groups)));
    tx.drop(ts.dir, topBytes(ts.dirCap), ts.dirBirth);
  }
  const f64 = tx.views(ref).f64;
  const d = offOf(ref) >> 3;
  f64[d] = ts.groups;
  f64[d + 1] = cap;
  ts.dir = ref;
  ts.dirBirth = tx.version;
  ts.dirCap = cap;
  return f64;
}

/** Makes page `p` of the (writable) top directory `top` writable; returns the page's block. */
function pageForWrite(tx: TxCore, ts: TxTable, top: Float64Array, p: number): number {
  const e = (offOf(ts.dir) >> 3) + DIR_HEADER + p * DIR_ENTRY;
  const birth = top[e + 2]!;
  const old = packRef(top[e]!, top[e + 1]!);
  if (birth === tx.version) return old;
  const ref = tx.alloc(DIR_PAGE_BYTES);
  tx.copy(old, ref, DIR_PAGE_BYTES);
  tx.drop(old, DIR_PAGE_BYTES, birth);
  top[e] = segOf(ref);
  top[e + 1] = offOf(ref);
  top[e + 2] = tx.version;
  return ref;
}
