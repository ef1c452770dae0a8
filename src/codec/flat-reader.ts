/*
 * Checked reads of a FlatBuffer with plain index arithmetic, shared by the quick batch reader
 * (batch-reader.ts) and the writer's update path (apply-bytes.ts). Every read is checked against
 * the bytes: an int32 or int16 goes through a DataView (one bounds-checked load, where four byte
 * loads were slower), whose RangeError out of range means the same as BAIL: these bytes are not
 * read here, and the caller's slower path decides what they are. Field offsets are vtable offsets
 * (4 + 2 × the field's number in mutation.fbs).
 */

/** Thrown when the bytes need the slower path; see `gaveUp`. */
export const BAIL = Symbol('bail');

/** Whether `err`, caught around reads, means "give up on these bytes" rather than a real error. */
export function gaveUp(err: unknown): boolean {
  return err === BAIL || err instanceof RangeError;
}

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);
const decoder = new TextDecoder();

/**
 * Buffer's latin1Slice: a flat one-byte string of bytes, one char each (the bytes are checked ASCII
 * first), in 60% of TextDecoder's time for an 18-byte key (59 vs 98 ns). Not in Node's documented
 * API, so TextDecoder stands in where a Node lacks it.
 */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;
const latin1 =
  typeof latin1Slice === 'function'
    ? latin1Slice
    : function (this: Uint8Array, start: number, end: number): string {
        return decoder.decode(this.subarray(start, end));
      };

/** A cursor over one FlatBuffer at a time (each module that reads keeps its own). */
export class FlatReader {
  /** The bytes being read (empty between reads: they may be a ring's, reused after). */
  u8: Uint8Array = EMPTY;
  /** Their length. */
  size = 0;
  #dv: DataView = EMPTY_VIEW;

  /** Points the reads at `bytes`. */
  start(bytes: Uint8Array): void {
    this.u8 = bytes;
    this.size = bytes.length;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Points the reads at nothing. */
  done(): void {
    this.u8 = EMPTY;
    this.size = 0;
    this.#dv = EMPTY_VIEW;
  }

  /** Bails out unless `end` (one past the last byte to read) is within the bytes. */
  check(end: number): void {
    if (end > this.size) throw BAIL;
  }

  /** The little-endian int32 at `o`. */
  i32(o: number): number {
    return this.#dv.getInt32(o, true);
  }

  /** The little-endian float64 at `o`. */
  f64(o: number): number {
    return this.#dv.getFloat64(o, true);
  }

  /** The table that the offset at `o` points to. */
  table(o: number): number {
    return o + this.i32(o);
  }

  /** Where field `vt` (a vtable offset) of the table at `pos` is, or 0 when it is absent. */
  field(pos: number, vt: number): number {
    const vtable = pos - this.i32(pos);
    if (vtable < 0 || vtable + 4 > this.size) throw BAIL;
    if (vt >= this.#dv.getInt16(vtable, true)) return 0;
    const o = this.#dv.getInt16(vtable + vt, true);
    if (o === 0) return 0;
    const at = pos + o;
    if (at < 0 || at >= this.size) throw BAIL;
    return at;
  }

  /** The ubyte field `vt` of the table at `pos` (0, the default, when absent). */
  ubyte(pos: number, vt: number): number {
    const o = this.field(pos, vt);
    return o === 0 ? 0 : this.u8[o]!;
  }

  /**
   * The vector (of offsets: tables or strings) whose offset is at `o`: where its length is, its
   * elements following, all of them checked to be in range.
   */
  vector(o: number): number {
    const v = this.table(o);
    const n = this.i32(v);
    if (n < 0 || v + 4 + n * 4 > this.size) throw BAIL;
    return v;
  }

  /**
   * The int64 field at `o` as a number: the nearest double, as Number() of the generated accessor's
   * bigint gives (high × 2^32 is exact, so adding the low half rounds once).
   */
  int64(o: number, unsigned: boolean): number {
    const low = this.i32(o) >>> 0;
    const high = unsigned ? this.i32(o + 4) >>> 0 : this.i32(o + 4);
    return high * 0x1_0000_0000 + low;
  }

  /** Where the bytes of the string that the offset at `o` points to start (its length before them). */
  stringStart(o: number): number {
    const s = this.table(o);
    const n = this.i32(s);
    if (n < 0 || s + 4 + n > this.size) throw BAIL;
    return s + 4;
  }

  /** Where the bytes of the string that starts at `start` end. */
  stringEnd(start: number): number {
    return start + this.i32(start - 4);
  }

  /** The string that the offset at `o` points to, decoded as TextDecoder decodes it. */
  string(o: number): string {
    const start = this.stringStart(o);
    return this.text(start, this.stringEnd(start));
  }

  /** Whether the bytes `[start, end)` are all ASCII. */
  ascii(start: number, end: number): boolean {
    const u8 = this.u8;
    let high = 0;
    for (let k = start; k < end; k++) high |= u8[k]!;
    return high < 0x80;
  }

  /** The bytes `[start, end)` as a string: ASCII by their char codes, anything else by TextDecoder. */
  text(start: number, end: number): string {
    return this.ascii(start, end)
      ? latin1.call(this.u8, start, end)
      : decoder.decode(this.u8.subarray(start, end));
  }
}
