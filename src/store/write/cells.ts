import { blockSize } from '../../memory/size-class.js';
import {
  type ColumnLayout,
  E_DATA_BIRTH,
  E_DATA_CAP,
  E_DATA_END,
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
import { readVar } from '../read.js';
import { utf8Length, writeUtf8 } from '../utf8.js';
import { type Cell, readValue, setValid, type Value, writeCell as writeFixedCell } from '../values.js';
import type { TxCore, TxTable } from './core.js';
import { chunkForWrite, groupRef } from './directory.js';

/** Writes a checked cell at row `i` of the writable group `gRef`, which holds `count` rows. */
export function writeCell(
  tx: TxCore,
  gRef: number,
  col: ColumnLayout,
  i: number,
  cell: Cell,
  count: number,
): void {
  if (col.kind !== 'fixed') {
    writeVar(tx, gRef, col, i, cell as string | readonly number[] | null, count);
    return;
  }
  const ref = chunkForWrite(tx, gRef, col, i);
  writeFixedCell(tx.arena.get(segOf(ref)), offOf(ref), col, i, cell);
}

/** Row `i` of a utf8 or list column of group `gRef` in its stored form: a string or codes. */
export function readVarCell(
  tx: TxCore,
  gRef: number,
  col: ColumnLayout,
  i: number,
): string | number[] | null {
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  // Codes, not strings, for lists: the row moves within one domain.
  return readVar(tx.arena, tx.views(gRef).f64, e, col, i, null) as string | number[] | null;
}

/**
 * Writes row `i` (an append when `i === count`, else a replacement) of a utf8 or list column.
 * The chunk holds offsets into a data block of items (UTF-8 bytes, or Int32 codes). Items past
 * the data block's high-water mark are invisible to every version, so an append writes them in
 * place; a replacement shifts the items after it, in a new data block unless this transaction
 * made the block or everything moved lies past the high-water mark.
 */
function writeVar(
  tx: TxCore,
  gRef: number,
  col: ColumnLayout,
  i: number,
  cell: string | readonly number[] | null,
  count: number,
): void {
  const chunkRef = chunkForWrite(tx, gRef, col, i);
  const cv = tx.views(chunkRef);
  const offs = cv.i32;
  const ob = (offOf(chunkRef) + col.validityBytes) >> 2;
  if (col.nullable) setValid(cv, offOf(chunkRef), i, cell !== null);
  const unit = col.kind === 'list' ? 4 : 1;
  const items = cell === null ? 0 : typeof cell === 'string' ? utf8Length(cell) : cell.length;
  const start = offs[ob + i]!;
  const oldEnd = i === count ? start : offs[ob + i + 1]!;
  const end = offs[ob + count]!;
  const delta = items - (oldEnd - start);
  const newEnd = end + delta;

  const f64 = tx.views(gRef).f64;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  let dSeg = f64[e + E_DATA_SEG]!;
  let dOff = f64[e + E_DATA_OFF]!;
  const dCap = f64[e + E_DATA_CAP]!;
  const writable = dSeg >= 0 && (f64[e + E_DATA_BIRTH] === tx.version || start >= f64[e + E_DATA_HWM]!);
  if (newEnd > 0 && (!writable || newEnd > dCap)) {
    // Room for half as much again, so appends in later transactions mostly write in place.
    const cap = Math.floor(blockSize(Math.max(newEnd + (newEnd >> 1), 64) * unit) / unit);
    const ref = tx.alloc(cap * unit);
    const dst = tx.views(ref).u8;
    if (dSeg >= 0) {
      const src = tx.arena.get(dSeg).u8;
      dst.set(src.subarray(dOff, dOff + start * unit), offOf(ref));
      if (end > oldEnd) {
        dst.set(src.subarray(dOff + oldEnd * unit, dOff + end * unit), offOf(ref) + (start + items) * unit);
      }
      tx.drop(packRef(dSeg, dOff), dCap * unit, f64[e + E_DATA_BIRTH]!);
    }
    dSeg = segOf(ref);
    dOff = offOf(ref);
    f64[e + E_DATA_SEG] = dSeg;
    f64[e + E_DATA_OFF] = dOff;
    f64[e + E_DATA_BIRTH] = tx.version;
    f64[e + E_DATA_CAP] = cap;
    f64[e + E_DATA_HWM] = 0;
  } else if (delta !== 0 && end > oldEnd) {
    const u8 = tx.arena.get(dSeg).u8;
    u8.copyWithin(dOff + (oldEnd + delta) * unit, dOff + oldEnd * unit, dOff + end * unit);
  }
  if (items > 0) {
    const data = tx.arena.get(dSeg);
    if (typeof cell === 'string') writeUtf8(cell, data.u8, dOff + start, items);
    else data.i32.set(cell as readonly number[], (dOff >> 2) + start);
  }
  if (delta !== 0) for (let r = i + 1; r <= count; r++) offs[ob + r] = offs[ob + r]! + delta;
  offs[ob + i + 1] = start + items;
  // offsets[count] after a replacement, offsets[count + 1] after an append: the same sum.
  f64[e + E_DATA_END] = newEnd;
}

/** The value of one stored column at row `pos` of table `ts`, with the transaction's changes. */
export function valueAt(tx: TxCore, ts: TxTable, pos: number, col: ColumnLayout): Value {
  const gRef = groupRef(tx, ts, pos >>> ts.layout.groupShift);
  const f64 = tx.views(gRef).f64;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  const i = pos & ts.layout.groupMask;
  if (col.kind !== 'fixed') return readVar(tx.arena, f64, e, col, i, tx.strings()) as Value;
  const v = readValue(tx.arena.get(f64[e + E_SEG]!), f64[e + E_OFF]!, col, i);
  return col.domain >= 0 && v !== null ? tx.strings().decode(col.domain, v as number) : v;
}
