import { describeValue, StateError } from '../../errors.js';
import { blockSize } from '../../memory/size-class.js';
import {
  DIR_HEADER,
  keyCode,
  LOC_ENTRY,
  offOf,
  PAGE_BYTES,
  PAGE_MASK,
  PAGE_SHIFT,
  packRef,
  segOf,
} from '../layout.js';
import { locateKey } from '../read.js';
import { type Key, readValue } from '../values.js';
import type { TxCore, TxTable } from './core.js';
import { chunkOf, groupRef } from './directory.js';

/*
 * The key locator inside a transaction: a table's primary key code (the key itself for integer
 * keys, its dictionary code for string keys) maps to the row's position through pages of Int32
 * positions, copied on write like any published block.
 */

const locBytes = (cap: number) => (DIR_HEADER + LOC_ENTRY * cap) * 8;
const capOfLoc = (bytes: number) => Math.floor((blockSize(bytes) / 8 - DIR_HEADER) / LOC_ENTRY);

/** The position of the row whose key code is `key`, or -1. */
export function locate(tx: TxCore, ts: TxTable, key: number): number {
  return ts.loc < 0 ? -1 : locateKey(tx.arena, segOf(ts.loc), offOf(ts.loc), key);
}

/** The position of the row with key `key` (a string for dictionary keys), or -1. */
export function positionOf(tx: TxCore, ts: TxTable, key: Key): number {
  const code = keyCode(ts.layout, key, (d, s) => tx.domain(d).lookup(tx.arena, s));
  return code < 0 ? -1 : locate(tx, ts, code);
}

/** The position of the row with key `key`; KEY_NOT_FOUND when there is none. */
export function rowOfKey(tx: TxCore, ts: TxTable, key: Key, op: number): number {
  const pos = positionOf(tx, ts, key);
  if (pos < 0) {
    const t = ts.layout;
    throw new StateError('KEY_NOT_FOUND', `${t.name} has no row with key ${describeValue(key)}`, {
      table: t.name,
      key,
      op,
    });
  }
  return pos;
}

/** The key code stored in row `pos`. */
export function keyAt(tx: TxCore, ts: TxTable, pos: number): number {
  const gRef = groupRef(tx, ts, pos >>> ts.layout.groupShift);
  const col = ts.layout.columns[ts.layout.key]!;
  const chunk = chunkOf(tx, gRef, col);
  return readValue(tx.views(chunk), offOf(chunk), col, pos & ts.layout.groupMask) as number;
}

/**
 * Points `key` at row `pos` (-1 removes it), copying the locator page it lives in. Each page
 * counts its live keys, and a page whose last key goes is freed, so the locator's size follows the
 * live keys, not every key ever used.
 */
export function setKey(tx: TxCore, ts: TxTable, key: number, pos: number): void {
  const page = key >>> PAGE_SHIFT;
  const dir = locDirForWrite(tx, ts, page + 1);
  const e = (offOf(ts.loc) >> 3) + DIR_HEADER + page * LOC_ENTRY;
  let pSeg = dir[e]!;
  let pOff = dir[e + 1]!;
  const birth = dir[e + 2]!;
  if (pSeg < 0 || birth !== tx.version) {
    const ref = tx.alloc(PAGE_BYTES);
    if (pSeg < 0) {
      tx.arena.get(segOf(ref)).i32.fill(-1, offOf(ref) >> 2, (offOf(ref) + PAGE_BYTES) >> 2);
      dir[e + 3] = 0;
    } else {
      const old = packRef(pSeg, pOff);
      tx.copy(old, ref, PAGE_BYTES);
      tx.drop(old, PAGE_BYTES, birth);
    }
    pSeg = segOf(ref);
    pOff = offOf(ref);
    dir[e] = pSeg;
    dir[e + 1] = pOff;
    dir[e + 2] = tx.version;
  }
  const i32 = tx.arena.get(pSeg).i32;
  const at = (pOff >> 2) + (key & PAGE_MASK);
  const was = i32[at]!;
  i32[at] = pos;
  if (was < 0 && pos >= 0) dir[e + 3]!++;
  else if (was >= 0 && pos < 0 && --dir[e + 3]! === 0) {
    tx.drop(packRef(pSeg, pOff), PAGE_BYTES, tx.version);
    dir[e] = -1;
  }
}

/** Rebuilds a table's key locator from its rows (after its key domain's codes changed). */
export function rebuildLocator(tx: TxCore, ts: TxTable): void {
  if (ts.loc >= 0) {
    const f64 = tx.views(ts.loc).f64;
    const d = offOf(ts.loc) >> 3;
    for (let p = 0; p < ts.locPages; p++) {
      const e = d + DIR_HEADER + p * LOC_ENTRY;
      if (f64[e]! >= 0) tx.drop(packRef(f64[e]!, f64[e + 1]!), PAGE_BYTES, f64[e + 2]!);
    }
    tx.drop(ts.loc, locBytes(ts.locCap), ts.locBirth);
  }
  ts.loc = -1;
  ts.locCap = 0;
  ts.locPages = 0;
  ts.dirty = true;
  for (let pos = 0; pos < ts.rows; pos++) setKey(tx, ts, keyAt(tx, ts, pos), pos);
}

function locDirForWrite(tx: TxCore, ts: TxTable, pages: number): Float64Array {
  if (ts.loc >= 0 && ts.locBirth === tx.version && ts.locCap >= pages) {
    const f64 = tx.views(ts.loc).f64;
    extendPages(ts, f64, pages);
    return f64;
  }
  const want = Math.max(pages, ts.locPages);
  const bytes = locBytes(pages > ts.locCap ? Math.max(want, ts.locCap * 2, 1) : want);
  const ref = tx.alloc(bytes);
  if (ts.loc >= 0) {
    tx.copy(ts.loc, ref, locBytes(ts.locPages));
    tx.drop(ts.loc, locBytes(ts.locCap), ts.locBirth);
  }
  const f64 = tx.views(ref).f64;
  const d = offOf(ref) >> 3;
  f64[d] = ts.locPages;
  f64[d + 1] = capOfLoc(bytes);
  ts.loc = ref;
  ts.locBirth = tx.version;
  ts.locCap = capOfLoc(bytes);
  extendPages(ts, f64, pages);
  return f64;
}

function extendPages(ts: TxTable, f64: Float64Array, pages: number): void {
  if (pages <= ts.locPages) return;
  const d = offOf(ts.loc) >> 3;
  for (let p = ts.locPages; p < pages; p++) {
    f64[d + DIR_HEADER + p * LOC_ENTRY] = -1;
    f64[d + DIR_HEADER + p * LOC_ENTRY + 3] = 0;
  }
  f64[d] = pages;
  ts.locPages = pages;
}
