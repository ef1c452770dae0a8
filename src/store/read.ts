import type { SegmentViews } from '../memory/segments.js';
import {
  type ColumnLayout,
  DIR_ENTRY,
  DIR_HEADER,
  DIR_PAGE_GROUPS,
  DIR_PAGE_MASK,
  DIR_PAGE_SHIFT,
  E_DATA_OFF,
  E_DATA_SEG,
  E_OFF,
  E_SEG,
  GROUP_ENTRY,
  GROUP_HEADER,
  LOC_ENTRY,
  PAGE_MASK,
  PAGE_SHIFT,
} from './layout.js';
import type { RowShape } from './row-shape.js';
import { readUtf8 } from './utf8.js';
import { isValid, type Row, readValue, type Value } from './values.js';

/** Anything that maps a segment index to its views: a thread's segment table or the arena. */
export interface SegmentSource {
  get(seg: number): SegmentViews;
}

/** Packed reference of row group `g` of the directory at (seg, off). */
export function groupAt(src: SegmentSource, dirSeg: number, dirOff: number, g: number): number {
  const top = src.get(dirSeg).f64;
  const e = (dirOff >> 3) + DIR_HEADER + (g >>> DIR_PAGE_SHIFT) * DIR_ENTRY;
  const page = src.get(top[e]!).f64;
  const pe = (top[e + 1]! >> 3) + (g & DIR_PAGE_MASK) * DIR_ENTRY;
  return page[pe]! * 0x1_0000_0000 + page[pe + 1]!;
}

/**
 * Calls `fn(g, seg, off, birth)` for each of the first `groups` row groups of the directory at
 * (seg, off), in order.
 */
export function forEachGroup(
  src: SegmentSource,
  dirSeg: number,
  dirOff: number,
  groups: number,
  fn: (g: number, seg: number, off: number, birth: number) => void,
): void {
  const top = src.get(dirSeg).f64;
  for (let p = 0, g = 0; g < groups; p++) {
    const e = (dirOff >> 3) + DIR_HEADER + p * DIR_ENTRY;
    const page = src.get(top[e]!).f64;
    const end = Math.min(groups, g + DIR_PAGE_GROUPS);
    for (let pe = top[e + 1]! >> 3; g < end; g++, pe += DIR_ENTRY)
      fn(g, page[pe]!, page[pe + 1]!, page[pe + 2]!);
  }
}

/**
 * Reads the row at `i` of the row group block at (seg, off) in the shape of `shape`. Reads go
 * through one view per segment; nothing is allocated but the row and its values. A caller that
 * already holds the value of one column (the key it looked the row up by) passes its index as
 * `knownColumn` and the value as `known`, to save decoding it again.
 */
export function readRow(
  src: SegmentSource,
  gSeg: number,
  gOff: number,
  i: number,
  shape: RowShape,
  strings: StringDecoder,
  knownColumn = -1,
  known: Value = null,
): Row {
  const f64 = src.get(gSeg).f64;
  const g = gOff >> 3;
  const columns = shape.columns;
  touchRow(src, f64, g, i, columns);
  const values = shape.values;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.index === knownColumn) {
      values[c] = known;
      continue;
    }
    const e = g + GROUP_HEADER + col.index * GROUP_ENTRY;
    if (col.kind !== 'fixed') {
      values[c] = readVar(src, f64, e, col, i, strings) as string | string[] | null;
      continue;
    }
    const v = readValue(src.get(f64[e + E_SEG]!), f64[e + E_OFF]!, col, i);
    values[c] = col.domain >= 0 && v !== null ? strings.decode(col.domain, v as number) : v;
  }
  return shape.build(values);
}

// biome-ignore lint/correctness/noUnusedVariables: touchRow's loads land here so that they are kept.
let sink = 0;

/**
 * Loads the cache lines that row `i` of each column lives on (its validity byte and its value or
 * offset) in one tight loop before any is decoded. A row's cells sit in different chunks, so each is
 * a cache miss of its own; issued together they overlap, where decoding one cell at a time (with
 * the allocation and property stores between) lets the processor wait for each miss in turn.
 */
function touchRow(
  src: SegmentSource,
  f64: Float64Array,
  g: number,
  i: number,
  columns: readonly ColumnLayout[],
): void {
  let x = 0;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    const e = g + GROUP_HEADER + col.index * GROUP_ENTRY;
    const u8 = src.get(f64[e + E_SEG]!).u8;
    const chunk = f64[e + E_OFF]!;
    const at = col.kind !== 'fixed' ? i << 2 : col.shift < 0 ? i >> 3 : i << col.shift;
    x ^= u8[chunk + col.validityBytes + at]!;
    if (col.nullable) x ^= u8[chunk + (i >> 3)]!;
  }
  sink ^= x;
}

/**
 * Reads row `i` of a utf8 or list column: `f64` holds the row-group block and `e` is the column's
 * entry in it. The chunk holds offsets (bytes for utf8, items for lists) into the data block. A
 * list's items come back as strings through `strings`, or as their codes when `strings` is null
 * (what a writer copies from row to row).
 */
export function readVar(
  src: SegmentSource,
  f64: Float64Array,
  e: number,
  col: ColumnLayout,
  i: number,
  strings: StringDecoder | null,
): string | string[] | number[] | null {
  const cv = src.get(f64[e + E_SEG]!);
  const chunk = f64[e + E_OFF]!;
  if (!isValid(cv, chunk, col, i)) return null;
  const ob = (chunk + col.validityBytes) >> 2;
  const start = cv.i32[ob + i]!;
  const end = cv.i32[ob + i + 1]!;
  if (col.kind === 'utf8') {
    if (start === end) return '';
    return readUtf8(src.get(f64[e + E_DATA_SEG]!), f64[e + E_DATA_OFF]! + start, f64[e + E_DATA_OFF]! + end);
  }
  const out: (string | number)[] = new Array(end - start);
  if (end > start) {
    const codes = src.get(f64[e + E_DATA_SEG]!).i32;
    const db = f64[e + E_DATA_OFF]! >> 2;
    for (let k = start; k < end; k++) {
      const code = codes[db + k]!;
      out[k - start] = strings === null ? code : strings.decode(col.domain, code);
    }
  }
  return out as string[] | number[];
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
