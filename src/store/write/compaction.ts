import {
  type ColumnLayout,
  E_DATA_BIRTH,
  E_DATA_CAP,
  E_DATA_HWM,
  E_DATA_OFF,
  E_DATA_SEG,
  E_OFF,
  E_SEG,
  GROUP_ENTRY,
  GROUP_HEADER,
  offOf,
  packRef,
  segOf,
} from '../layout.js';
import { isValid } from '../values.js';
import type { TxCore, TxTable } from './core.js';
import { chunkForWrite, groupForWrite, groupRef } from './directory.js';
import { rebuildLocator } from './locator.js';

/** What a compaction check found: strings some row references, and cells that hold codes. */
export interface DomainUse {
  readonly live: number;
  readonly cells: number;
}

/**
 * Drops the strings of dictionary domain `d` that no row references: rebuilds the domain with
 * dense codes and rewrites every column that holds its codes, and the key locators of tables keyed
 * by it, if at least `minDead` strings are dead.
 */
export function compactDomain(tx: TxCore, d: number, minDead: number): DomainUse {
  const domain = tx.domain(d);
  const length = domain.length;
  const live = new Uint8Array(length);
  const users: { ts: TxTable; col: ColumnLayout }[] = [];
  for (const t of tx.layout.tables) {
    for (const col of t.columns) if (col.domain === d) users.push({ ts: tx.table(t.name), col });
  }
  let cells = 0;
  const mark = (codes: Int8Array | Int16Array | Int32Array, at: number) => {
    live[codes[at]!] = 1;
    cells++;
  };
  for (const { ts, col } of users) forEachCode(tx, ts, col, mark);
  const remap = new Int32Array(length).fill(-1);
  let kept = 0;
  for (let code = 0; code < length; code++) if (live[code] === 1) remap[code] = kept++;
  if (length - kept < Math.max(1, minDead)) return { live: kept, cells };
  domain.rebuild(tx.blockOps(), remap, kept);
  for (const { ts, col } of users) {
    ts.dirty = true;
    for (let g = 0; g < ts.groups; g++) remapGroup(tx, ts, g, col, remap);
  }
  for (const t of tx.layout.tables) {
    if (t.key >= 0 && t.columns[t.key]!.domain === d) rebuildLocator(tx, tx.table(t.name));
  }
  return { live: kept, cells };
}

/** Calls `fn(codes, index)` for every code a dictionary or list column holds (nulls skipped). */
function forEachCode(
  tx: TxCore,
  ts: TxTable,
  col: ColumnLayout,
  fn: (codes: Int8Array | Int16Array | Int32Array, at: number) => void,
): void {
  for (let g = 0; g < ts.groups; g++) {
    const gRef = groupRef(tx, ts, g);
    const f64 = tx.views(gRef).f64;
    const b = offOf(gRef) >> 3;
    const count = f64[b]!;
    const e = b + GROUP_HEADER + col.index * GROUP_ENTRY;
    const cv = tx.arena.get(f64[e + E_SEG]!);
    const chunk = f64[e + E_OFF]!;
    if (col.kind === 'list') {
      const end = cv.i32[((chunk + col.validityBytes) >> 2) + count]!;
      if (end === 0) continue;
      const codes = tx.arena.get(f64[e + E_DATA_SEG]!).i32;
      const base = f64[e + E_DATA_OFF]! >> 2;
      for (let k = 0; k < end; k++) fn(codes, base + k);
      continue;
    }
    const codes = cv[col.view as 'i8' | 'i16' | 'i32'];
    const base = (chunk + col.validityBytes) >> col.shift;
    for (let i = 0; i < count; i++) if (isValid(cv, chunk, col, i)) fn(codes, base + i);
  }
}

/** Rewrites the codes of `col` in row group `g` through `remap`, in new blocks. */
function remapGroup(tx: TxCore, ts: TxTable, g: number, col: ColumnLayout, remap: Int32Array): void {
  const gRef = groupForWrite(tx, ts, g);
  const f64 = tx.views(gRef).f64;
  const b = offOf(gRef) >> 3;
  const count = f64[b]!;
  const e = b + GROUP_HEADER + col.index * GROUP_ENTRY;
  if (col.kind === 'list') {
    const cv = tx.arena.get(f64[e + E_SEG]!);
    const end = cv.i32[((f64[e + E_OFF]! + col.validityBytes) >> 2) + count]!;
    if (end === 0) return;
    const cap = f64[e + E_DATA_CAP]!;
    const ref = tx.alloc(cap * 4);
    const src = tx.arena.get(f64[e + E_DATA_SEG]!).i32;
    const sb = f64[e + E_DATA_OFF]! >> 2;
    const dst = tx.views(ref).i32;
    const db = offOf(ref) >> 2;
    for (let k = 0; k < end; k++) dst[db + k] = remap[src[sb + k]!]!;
    tx.drop(packRef(f64[e + E_DATA_SEG]!, f64[e + E_DATA_OFF]!), cap * 4, f64[e + E_DATA_BIRTH]!);
    f64[e + E_DATA_SEG] = segOf(ref);
    f64[e + E_DATA_OFF] = offOf(ref);
    f64[e + E_DATA_BIRTH] = tx.version;
    f64[e + E_DATA_HWM] = 0;
    return;
  }
  // Row 0 is below the high-water mark of every published chunk, so this copies the chunk.
  const ref = chunkForWrite(tx, gRef, col, 0);
  const cv = tx.views(ref);
  const codes = cv[col.view as 'i8' | 'i16' | 'i32'];
  const base = (offOf(ref) + col.validityBytes) >> col.shift;
  for (let i = 0; i < count; i++)
    if (isValid(cv, offOf(ref), col, i)) codes[base + i] = remap[codes[base + i]!]!;
}
