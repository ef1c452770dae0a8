import type { SegmentViews } from '../memory/segments.js';
import {
  type ColumnLayout,
  DIR_ENTRY,
  DIR_HEADER,
  GROUP_ENTRY,
  GROUP_HEADER,
  LOC_ENTRY,
  PAGE_MASK,
  PAGE_SHIFT,
} from './layout.js';
import { type Row, readValue } from './values.js';

/** Anything that maps a segment index to its views: a thread's segment table or the arena. */
export interface SegmentSource {
  get(seg: number): SegmentViews;
}

/** Packed reference of row group `g` of the directory at (seg, off). */
export function groupAt(src: SegmentSource, dirSeg: number, dirOff: number, g: number): number {
  const f64 = src.get(dirSeg).f64;
  const e = (dirOff >> 3) + DIR_HEADER + g * DIR_ENTRY;
  return f64[e]! * 0x1_0000_0000 + f64[e + 1]!;
}

/**
 * Reads the row at `i` of the row group block at (seg, off) into `out`, all columns or only
 * `columns`. Reads go through one view per segment; nothing is allocated but the row's values.
 */
export function readRow(
  src: SegmentSource,
  gSeg: number,
  gOff: number,
  i: number,
  columns: readonly ColumnLayout[],
  out: Row,
  strings: StringDecoder,
): Row {
  const f64 = src.get(gSeg).f64;
  const g = gOff >> 3;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    const e = g + GROUP_HEADER + col.index * GROUP_ENTRY;
    const v = readValue(src.get(f64[e]!), f64[e + 1]!, col, i);
    out[col.name] = col.domain >= 0 && v !== null ? strings.decode(col.domain, v as number) : v;
  }
  return out;
}

/** Turns a dictionary code of a domain into its string, as of some version. */
export interface StringDecoder {
  decode(domain: number, code: number): string;
}

/** The row position of `key` through the locator directory at (seg, off); -1 when absent. */
export function locateKey(src: SegmentSource, locSeg: number, locOff: number, key: number): number {
  if (locSeg < 0) return -1;
  const dir = src.get(locSeg).f64;
  const d = locOff >> 3;
  const page = key >>> PAGE_SHIFT;
  if (page >= dir[d]!) return -1;
  const e = d + DIR_HEADER + page * LOC_ENTRY;
  const pSeg = dir[e]!;
  if (pSeg < 0) return -1;
  return src.get(pSeg).i32[(dir[e + 1]! >> 2) + (key & PAGE_MASK)]!;
}
