import { type Data, Type, Utf8, type Vector, vectorFromArray } from 'apache-arrow';
import { describeValue, StateError } from '../../errors.js';
import { blockSize } from '../../memory/size-class.js';
import {
  type ColumnLayout,
  E_DATA_BIRTH,
  E_DATA_CAP,
  E_DATA_END,
  E_DATA_HWM,
  E_DATA_OFF,
  E_DATA_SEG,
  GROUP_ENTRY,
  GROUP_HEADER,
  offOf,
  packRef,
  segOf,
  type TableLayout,
} from '../layout.js';
import type { TxCore, TxTable } from './core.js';
import { chunkForWrite } from './directory.js';
import { locate, setKey } from './locator.js';

/*
 * The bulk loader's writes (see load.ts): one column's rows of a record batch into a row group's
 * chunk and data block, straight from the batch's buffers, and the key locator entries of the rows.
 */

/** Whether row `i` of `data` is not null. */
export function isValidAt(data: Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || bitmap === undefined || bitmap.length === 0) return true;
  const bit = data.offset + i;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** Writes rows [from, from + n) of `data` (null: all null) into rows [at, at + n) of group `gRef`. */
export function fillColumn(
  tx: TxCore,
  t: TableLayout,
  gRef: number,
  col: ColumnLayout,
  at: number,
  n: number,
  data: Data | null,
  from: number,
  dicts: Dictionaries,
): void {
  if (col.kind !== 'fixed') {
    fillVar(tx, t, gRef, col, at, n, data, from, dicts);
    return;
  }
  const ref = chunkForWrite(tx, gRef, col, at);
  const v = tx.views(ref);
  const chunk = offOf(ref);
  if (col.nullable) copyValidity(data, from, v.u8, chunk, at, n);
  if (data === null) return;
  if (col.shift < 0) {
    copyBits(data.values as Uint8Array, data.offset + from, v.u8, chunk + col.validityBytes, at, n);
    return;
  }
  const base = (chunk + col.validityBytes) >> col.shift;
  if (col.domain >= 0) {
    const codes = v[col.view as 'i8' | 'i16' | 'i32'];
    if (data.typeId === Type.Int) {
      // Codes already interned (insertRows; a load's source holds strings: plan() sees to that).
      codes.set((data.values as Int32Array).subarray(from, from + n), base + at);
      return;
    }
    const strings = stringSource(tx, t, col, data, dicts);
    if (data.nullCount === 0) for (let i = 0; i < n; i++) codes[base + at + i] = strings(from + i);
    else for (let i = 0; i < n; i++) codes[base + at + i] = isValidAt(data, from + i) ? strings(from + i) : 0;
  } else {
    const values = data.values as Int32Array;
    (v[col.view] as Int32Array).set(values.subarray(from, from + n), base + at);
  }
}

/**
 * A function from a row of a string column's source to its code. A dictionary's strings are
 * interned once each, straight from their UTF-8 bytes, when a row first names them; a plain Utf8
 * source's string is interned from its bytes row by row.
 */
function stringSource(
  tx: TxCore,
  t: TableLayout,
  col: ColumnLayout,
  data: Data,
  dicts: Dictionaries,
): (row: number) => number {
  const domain = tx.domain(col.domain);
  const ops = tx.blockOps();
  const checked = (code: number, bytes: Uint8Array, start: number, end: number) => {
    if (code > col.max) {
      const s = decoder.decode(bytes.subarray(start, end));
      throw new StateError(
        'OUT_OF_RANGE',
        `${t.name}.${col.name}: domain ${domain.layout.name} would hold ${code + 1} strings, more than the column's ${col.shift * 8 + 8}-bit codes can name (value ${describeValue(s)})`,
        { table: t.name, column: col.name, value: s },
      );
    }
    return code;
  };
  if (data.typeId === Type.Dictionary) {
    const dictionary = data.dictionary!;
    const strings = dictionary.data.length === 1 ? dictionary.data[0]! : flatten(dictionary);
    const offsets = strings.valueOffsets as Int32Array;
    const bytes = strings.values as Uint8Array;
    const indices = data.values as Int32Array;
    let remap = dicts.remaps.get(dictionary);
    if (remap === undefined) {
      remap = new Int32Array(dictionary.length).fill(-1);
      dicts.remaps.set(dictionary, remap);
      // At most this many new strings: grow the domain's blocks and index once, not by doubling.
      const byteCount = offsets[dictionary.length]! - offsets[0]!;
      domain.reserve(ops, dictionary.length, byteCount);
      // Into an empty domain (a checkpoint loading into a fresh store), the strings the rows name
      // go in at once, in slot order (see internFresh); rows then find them in the remap.
      if (domain.canFillFresh(ops, dictionary.length, byteCount)) {
        const picks = namedEntries(dicts.users.get(dictionary) ?? [data], dictionary.length);
        const added = domain.fillFresh(ops, bytes, offsets, picks, picks.length, remap);
        // The first code past what the column's width can name, if any, with its string.
        if (added - 1 > col.max) {
          const j = remap.indexOf(col.max + 1);
          checked(remap[j]!, bytes, offsets[j]!, offsets[j + 1]!);
        }
      }
    }
    const r = remap;
    return (row) => {
      const j = indices[row]!;
      let code = r[j]!;
      if (code < 0) {
        const start = offsets[j]!;
        const end = offsets[j + 1]!;
        code = checked(domain.internBytes(ops, bytes, start, end), bytes, start, end);
        r[j] = code;
      }
      return code;
    };
  }
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  return (row) => {
    const start = offsets[row]!;
    const end = offsets[row + 1]!;
    return checked(domain.internBytes(ops, bytes, start, end), bytes, start, end);
  };
}

/**
 * The dictionaries of one load: each one's remap (entry to code, -1 until interned), and the
 * string sources that share it (one per record batch, as an IPC file's batches do).
 */
export interface Dictionaries {
  readonly remaps: Map<Vector, Int32Array>;
  readonly users: Map<Vector, Data[]>;
}

/** The string sources of a load's dictionary columns (list items included), by dictionary. */
export function dictionaryUsers(
  t: TableLayout,
  sources: readonly (readonly (Data | null)[])[],
): Map<Vector, Data[]> {
  const users = new Map<Vector, Data[]>();
  for (const batch of sources) {
    for (let c = 0; c < t.columns.length; c++) {
      const col = t.columns[c]!;
      let data = batch[c] ?? null;
      if (data === null || col.domain < 0) continue;
      if (col.kind === 'list') data = data.children[0]!;
      if (data.typeId !== Type.Dictionary) continue;
      const list = users.get(data.dictionary!);
      if (list === undefined) users.set(data.dictionary!, [data]);
      else list.push(data);
    }
  }
  return users;
}

/** The dictionary entries that the valid rows of `sources` name, in order of first appearance. */
function namedEntries(sources: readonly Data[], entries: number): Int32Array {
  const seen = new Uint8Array(entries);
  const picks = new Int32Array(entries);
  let n = 0;
  for (const data of sources) {
    const indices = data.values as Int32Array;
    for (let row = 0; row < data.length; row++) {
      const j = indices[row]!;
      if (seen[j] === 0 && (data.nullCount === 0 || isValidAt(data, row))) {
        seen[j] = 1;
        picks[n++] = j;
      }
    }
  }
  return picks.subarray(0, n);
}

/** A dictionary Vector of several chunks as one Utf8 Data (rare: IPC gives one chunk). */
function flatten(dictionary: Vector): Data {
  return vectorFromArray(dictionary.toArray() as string[], new Utf8()).data[0]!;
}

const decoder = new TextDecoder();

/** Appends rows [from, from + n) of a utf8 or list source to rows [at, at + n) of group `gRef`. */
function fillVar(
  tx: TxCore,
  t: TableLayout,
  gRef: number,
  col: ColumnLayout,
  at: number,
  n: number,
  data: Data | null,
  from: number,
  dicts: Dictionaries,
): void {
  const chunkRef = chunkForWrite(tx, gRef, col, at);
  const cv = tx.views(chunkRef);
  const chunk = offOf(chunkRef);
  if (col.nullable) copyValidity(data, from, cv.u8, chunk, at, n);
  const offs = cv.i32;
  const ob = (chunk + col.validityBytes) >> 2;
  const start = offs[ob + at]!;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  const group = tx.views(gRef).f64;
  if (data === null) {
    for (let i = 1; i <= n; i++) offs[ob + at + i] = start;
    group[e + E_DATA_END] = start;
    return;
  }
  const src = data.valueOffsets as Int32Array;
  const first = src[from]!;
  const items = src[from + n]! - first;
  const unit = col.kind === 'list' ? 4 : 1;
  const [dSeg, dOff] = dataForAppend(tx, gRef, col, start, items, unit);
  // With no items (empty strings and lists, nulls) there may be no data block at all.
  if (items > 0) {
    const dst = tx.arena.get(dSeg);
    if (col.kind === 'utf8') {
      dst.u8.set((data.values as Uint8Array).subarray(first, first + items), dOff + start);
    } else if (data.children[0]!.typeId === Type.Int) {
      // Codes already interned, as above.
      dst.i32.set(
        (data.children[0]!.values as Int32Array).subarray(first, first + items),
        (dOff >> 2) + start,
      );
    } else {
      const strings = stringSource(tx, t, col, data.children[0]!, dicts);
      const codes = dst.i32;
      const db = (dOff >> 2) + start - first;
      for (let k = first; k < first + items; k++) codes[db + k] = strings(k);
    }
  }
  for (let i = 1; i <= n; i++) offs[ob + at + i] = start + src[from + i]! - first;
  group[e + E_DATA_END] = start + items;
}

/**
 * The data block of a utf8 or list column made ready to take `items` more items after its first
 * `start`: written in place when this transaction made it or `start` is past its high-water mark
 * and it has room, else copied into a larger block. Returns its segment and byte offset.
 */
function dataForAppend(
  tx: TxCore,
  gRef: number,
  col: ColumnLayout,
  start: number,
  items: number,
  unit: number,
): [number, number] {
  const f64 = tx.views(gRef).f64;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  const seg = f64[e + E_DATA_SEG]!;
  const off = f64[e + E_DATA_OFF]!;
  const cap = f64[e + E_DATA_CAP]!;
  const end = start + items;
  const writable = seg >= 0 && (f64[e + E_DATA_BIRTH] === tx.version || start >= f64[e + E_DATA_HWM]!);
  if (end === 0 || (writable && end <= cap)) return [seg, off];
  // A new group's block is sized to its rows; a block that must grow gets half as much again.
  const want = start === 0 ? Math.max(end, 64) : Math.max(end + (end >> 1), 64);
  const newCap = Math.floor(blockSize(want * unit) / unit);
  const ref = tx.alloc(newCap * unit);
  if (seg >= 0) {
    if (start > 0) tx.copy(packRef(seg, off), ref, start * unit);
    tx.drop(packRef(seg, off), cap * unit, f64[e + E_DATA_BIRTH]!);
  }
  f64[e + E_DATA_SEG] = segOf(ref);
  f64[e + E_DATA_OFF] = offOf(ref);
  f64[e + E_DATA_BIRTH] = tx.version;
  f64[e + E_DATA_CAP] = newCap;
  f64[e + E_DATA_HWM] = 0;
  return [segOf(ref), offOf(ref)];
}

/** Sets the validity bits of rows [at, at + n) of a chunk from rows [from, ...) of `data`. */
function copyValidity(
  data: Data | null,
  from: number,
  u8: Uint8Array,
  chunk: number,
  at: number,
  n: number,
): void {
  if (data === null) {
    setBits(u8, chunk, at, n, false);
    return;
  }
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || bitmap === undefined || bitmap.length === 0) setBits(u8, chunk, at, n, true);
  else copyBits(bitmap, data.offset + from, u8, chunk, at, n);
}

/**
 * Copies bits [srcBit, srcBit + n) of `src` to bits [dstBit, dstBit + n) of the bitmap at byte
 * `base` of `dst`. Bits of the destination outside the range keep their values (a partly used
 * byte may hold bits that published versions read).
 */
function copyBits(
  src: Uint8Array,
  srcBit: number,
  dst: Uint8Array,
  base: number,
  dstBit: number,
  n: number,
): void {
  let i = 0;
  // Whole bytes when both sides are byte-aligned: the usual case of row groups and fresh batches.
  if ((srcBit & 7) === 0 && (dstBit & 7) === 0) {
    const bytes = n >> 3;
    dst.set(src.subarray(srcBit >> 3, (srcBit >> 3) + bytes), base + (dstBit >> 3));
    i = bytes << 3;
  }
  for (; i < n; i++) {
    const s = srcBit + i;
    const d = dstBit + i;
    const at = base + (d >> 3);
    const mask = 1 << (d & 7);
    dst[at] = (src[s >> 3]! & (1 << (s & 7))) !== 0 ? dst[at]! | mask : dst[at]! & ~mask;
  }
}

/** Sets (or clears) bits [dstBit, dstBit + n) of the bitmap at byte `base`, keeping the others. */
function setBits(dst: Uint8Array, base: number, dstBit: number, n: number, on: boolean): void {
  let i = 0;
  for (; i < n && ((dstBit + i) & 7) !== 0; i++) setBit(dst, base, dstBit + i, on);
  const whole = (n - i) >> 3;
  if (whole > 0) {
    const at = base + ((dstBit + i) >> 3);
    dst.fill(on ? 0xff : 0, at, at + whole);
    i += whole << 3;
  }
  for (; i < n; i++) setBit(dst, base, dstBit + i, on);
}

function setBit(u8: Uint8Array, base: number, i: number, on: boolean): void {
  const at = base + (i >> 3);
  const mask = 1 << (i & 7);
  u8[at] = on ? u8[at]! | mask : u8[at]! & ~mask;
}

/** Points the key locator at rows [at, at + n) of group `gRef`, which are table rows pos, pos + 1, ... */
export function indexKeys(tx: TxCore, ts: TxTable, gRef: number, at: number, n: number, pos: number): void {
  const t = ts.layout;
  const col = t.columns[t.key]!;
  const f64 = tx.views(gRef).f64;
  const e = (offOf(gRef) >> 3) + GROUP_HEADER + col.index * GROUP_ENTRY;
  const v = tx.arena.get(f64[e]!);
  const codes = v[col.view as 'i8' | 'i16' | 'i32'];
  const base = (f64[e + 1]! + col.validityBytes) >> col.shift;
  for (let i = 0; i < n; i++) {
    const code = codes[base + at + i]!;
    if (locate(tx, ts, code) >= 0) {
      const key = col.domain >= 0 ? tx.strings().decode(col.domain, code) : code;
      throw new StateError('DUPLICATE_KEY', `${t.name} already has a row with key ${describeValue(key)}`, {
        table: t.name,
        key,
      });
    }
    setKey(tx, ts, code, pos + i);
  }
}
