import { describeValue, StateError, type StateErrorDetails } from '../errors.js';
import type { SegmentViews } from '../memory/segments.js';
import type { ColumnLayout, TableLayout } from './layout.js';
import { utf8Length } from './utf8.js';

/**
 * A value of a fixed-width column as rows carry it: int64 as bigint (as a number in mode
 * 'number'), timestamps as numbers.
 */
export type Value = number | bigint | boolean | string | string[] | null | StructValue;

/** A struct column's value: child name to value. */
export interface StructValue {
  [child: string]: Value;
}

/** A primary key: an integer id, or a string for a table keyed by a dictionary column. */
export type Key = number | string;

/** A row: column name to value. */
export type Row = Record<string, Value>;

/**
 * Values to write: column name to value. Timestamps also accept a `Date`. In an insert, a missing
 * or undefined column is null; in an update, it is left as it is.
 */
export type RowInput = Record<string, Value | Date | undefined | Record<string, Value | Date | undefined>>;

/**
 * A checked value before it is stored: int64 as bigint, timestamps and int64 of mode 'number' as
 * numbers (their halves are stored without making a bigint), bool as boolean, a dictionary
 * column's string (the transaction turns it into its code).
 */
export type Cell = number | bigint | boolean | string | readonly string[] | readonly number[] | null;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I53 = 2n ** 53n - 1n;

function reject(
  code: 'TYPE_MISMATCH' | 'OUT_OF_RANGE' | 'NULL_NOT_ALLOWED' | 'STRING_TOO_LONG',
  what: string,
  table: TableLayout,
  col: ColumnLayout,
  value: unknown,
  at: CellSite,
): StateError {
  const hasKey = typeof at.key === 'string' || at.key >= 0;
  const where = hasKey
    ? ` of the row with key ${describeValue(at.key)}`
    : at.row >= 0
      ? ` of row ${at.row}`
      : '';
  const details: StateErrorDetails = { table: table.name, column: col.name, value, op: at.op };
  if (hasKey) details.key = at.key;
  if (at.row >= 0) details.row = at.row;
  return new StateError(
    code,
    `${table.name}.${col.name}${where}: ${what}, got ${describeValue(value)}`,
    details,
  );
}

/**
 * Where a value is being written, for error messages: the key and row (-1 when unknown) and the
 * operation's index in its transaction. The writer reuses one object, so checks allocate nothing.
 */
export interface CellSite {
  key: number | string;
  row: number;
  op: number;
}

/**
 * Checks `value` against a column and converts it to its stored form. Throws a `StateError` that
 * names the table, column, key or row, and the value.
 */
export function toCell(
  table: TableLayout,
  col: ColumnLayout,
  value: unknown,
  site: CellSite,
  maxStringBytes: number,
): Cell {
  if (value === null || value === undefined) {
    if (col.nullable) return null;
    throw reject('NULL_NOT_ALLOWED', 'column is not nullable', table, col, value, site);
  }
  switch (col.type) {
    case 'dictionary':
    case 'utf8':
      if (typeof value !== 'string')
        throw reject('TYPE_MISMATCH', 'expected a string', table, col, value, site);
      checkLength(value, maxStringBytes, table, col, site);
      return value;
    case 'list':
      if (!Array.isArray(value) || !allStrings(value)) {
        throw reject('TYPE_MISMATCH', 'expected an array of strings', table, col, value, site);
      }
      for (const item of value) checkLength(item, maxStringBytes, table, col, site);
      return value as readonly string[];
    case 'bool':
      if (typeof value !== 'boolean')
        throw reject('TYPE_MISMATCH', 'expected a boolean', table, col, value, site);
      return value;
    case 'float32':
    case 'float64':
      if (typeof value !== 'number')
        throw reject('TYPE_MISMATCH', 'expected a number', table, col, value, site);
      return value;
    case 'int64': {
      if (col.asNumber) return toSafeInt64(table, col, value, site);
      if (typeof value === 'bigint') {
        if (value < I64_MIN || value > I64_MAX) {
          throw reject('OUT_OF_RANGE', 'expected a 64-bit integer', table, col, value, site);
        }
        return value;
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw reject('TYPE_MISMATCH', 'expected a bigint or an integer number', table, col, value, site);
      }
      if (!Number.isSafeInteger(value)) {
        throw reject('OUT_OF_RANGE', 'a number must be a safe integer', table, col, value, site);
      }
      return BigInt(value);
    }
    case 'timestamp': {
      const ms = value instanceof Date ? value.getTime() : value;
      if (typeof ms !== 'number' || !Number.isInteger(ms)) {
        throw reject(
          'TYPE_MISMATCH',
          'expected integer milliseconds since the epoch or a Date',
          table,
          col,
          value,
          site,
        );
      }
      if (ms < col.min || ms > col.max) {
        throw reject('OUT_OF_RANGE', `expected a time within ±${col.max} ms`, table, col, value, site);
      }
      return ms;
    }
    default: {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw reject('TYPE_MISMATCH', 'expected an integer', table, col, value, site);
      }
      if (value < col.min || value > col.max) {
        throw reject(
          'OUT_OF_RANGE',
          `expected ${col.type} in [${col.min}, ${col.max}]`,
          table,
          col,
          value,
          site,
        );
      }
      return value;
    }
  }
}

/** An int64 cell of a column of mode 'number': a number or bigint within ±(2^53 - 1), as a number. */
function toSafeInt64(table: TableLayout, col: ColumnLayout, value: unknown, site: CellSite): number {
  if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) {
    throw reject('TYPE_MISMATCH', 'expected an integer number (int64, mode number)', table, col, value, site);
  }
  const safe = typeof value === 'bigint' ? value >= -I53 && value <= I53 : Number.isSafeInteger(value);
  if (!safe) {
    throw reject(
      'OUT_OF_RANGE',
      'expected an integer within ±(2^53 - 1) (int64, mode number)',
      table,
      col,
      value,
      site,
    );
  }
  return typeof value === 'bigint' ? Number(value) : value;
}

function checkLength(s: string, max: number, table: TableLayout, col: ColumnLayout, site: CellSite): void {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: most strings need no exact count.
  if (s.length * 3 <= max) return;
  const bytes = utf8Length(s);
  if (bytes > max) {
    throw reject(
      'STRING_TOO_LONG',
      `a string of ${bytes} UTF-8 bytes is over the limit of ${max}`,
      table,
      col,
      `${s.slice(0, 40)}…`,
      site,
    );
  }
}

/** Writes a checked cell at `row` of the chunk at byte `chunk` of segment `v`. */
export function writeCell(v: SegmentViews, chunk: number, col: ColumnLayout, row: number, cell: Cell): void {
  if (col.nullable) setBit(v.u8, chunk, row, cell !== null);
  const base = chunk + col.validityBytes;
  if (col.shift < 0) {
    setBit(v.u8, base, row, cell === true);
    return;
  }
  const i = (base >> col.shift) + row;
  switch (col.view) {
    case 'i64':
      if (typeof cell === 'number') {
        // A safe integer as its two little-endian halves: a bigint made per cell was garbage.
        const hi = Math.floor(cell / 0x1_0000_0000);
        v.i32[2 * i] = cell - hi * 0x1_0000_0000;
        v.i32[2 * i + 1] = hi;
      } else {
        v.i64[i] = cell === null ? 0n : (cell as bigint);
      }
      return;
    default:
      v[col.view][i] = cell === null ? 0 : (cell as number);
  }
}

/** Reads `row` of a chunk as a row value (timestamps as numbers). */
export function readValue(v: SegmentViews, chunk: number, col: ColumnLayout, row: number): Value {
  if (col.nullable && (v.u8[chunk + (row >> 3)]! & (1 << (row & 7))) === 0) return null;
  const base = chunk + col.validityBytes;
  if (col.shift < 0) return (v.u8[base + (row >> 3)]! & (1 << (row & 7))) !== 0;
  const i = (base >> col.shift) + row;
  // A case per view: indexing the views object by a name that varies is a megamorphic load.
  switch (col.view) {
    case 'i8':
      return v.i8[i]!;
    case 'u8':
      return v.u8[i]!;
    case 'i16':
      return v.i16[i]!;
    case 'u16':
      return v.u16[i]!;
    case 'i32':
      return v.i32[i]!;
    case 'u32':
      return v.u32[i]!;
    case 'f32':
      return v.f32[i]!;
    case 'f64':
      return v.f64[i]!;
    default:
      // A timestamp from its two halves (little-endian, as Arrow's buffers are), without making a
      // bigint first: the sum rounds as Number(bigint) does, and is exact for every safe integer.
      // The same for an int64 column of mode 'number', whose values are safe integers.
      return col.asNumber ? v.i32[2 * i + 1]! * 0x1_0000_0000 + v.u32[2 * i]! : v.i64[i]!;
  }
}

/** Copies one cell (value and validity) between chunks of the same column. */
export function copyCell(
  src: SegmentViews,
  srcChunk: number,
  srcRow: number,
  dst: SegmentViews,
  dstChunk: number,
  dstRow: number,
  col: ColumnLayout,
): void {
  if (col.nullable) setBit(dst.u8, dstChunk, dstRow, getBit(src.u8, srcChunk, srcRow));
  const s = srcChunk + col.validityBytes;
  const d = dstChunk + col.validityBytes;
  if (col.shift < 0) {
    setBit(dst.u8, d, dstRow, getBit(src.u8, s, srcRow));
    return;
  }
  const view = col.view;
  dst[view][(d >> col.shift) + dstRow] = src[view][(s >> col.shift) + srcRow]!;
}

/** Sets the validity bit of `row` in a nullable column's chunk. */
export function setValid(v: SegmentViews, chunk: number, row: number, valid: boolean): void {
  setBit(v.u8, chunk, row, valid);
}

/** Whether `row` of a chunk is not null. */
export function isValid(v: SegmentViews, chunk: number, col: ColumnLayout, row: number): boolean {
  return !col.nullable || getBit(v.u8, chunk, row);
}

function getBit(u8: Uint8Array, base: number, i: number): boolean {
  return (u8[base + (i >> 3)]! & (1 << (i & 7))) !== 0;
}

/**
 * Sets one bit with a read-modify-write of its byte. Readers may read the byte meanwhile; the other
 * bits are written back unchanged, so whatever a reader sees of them is what its version holds.
 */
function setBit(u8: Uint8Array, base: number, i: number, on: boolean): void {
  const at = base + (i >> 3);
  const mask = 1 << (i & 7);
  u8[at] = on ? u8[at]! | mask : u8[at]! & ~mask;
}

/** Whether every item of `items` is a string (a loop, with no closure made per list cell). */
function allStrings(items: readonly unknown[]): boolean {
  for (let i = 0; i < items.length; i++) if (typeof items[i] !== 'string') return false;
  return true;
}
