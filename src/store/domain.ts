import {
  D_BYTES_OFF,
  D_BYTES_SEG,
  D_HASH_CAP,
  D_HASH_OFF,
  D_HASH_SEG,
  D_LENGTH,
  D_OFF_OFF,
  D_OFF_SEG,
} from './layout.js';
import type { SegmentSource } from './read.js';
import { equalsUtf8, hashString, readUtf8 } from './utf8.js';

/*
 * Reading a dictionary domain as of one version. `f64` is the root block's words and `w` the index
 * of the domain's entry in it. The offsets and bytes are append-only: a later version only adds
 * past this version's length, so the prefix read here never changes under the reader.
 *
 * The hash index is shared by every version and written in place, one Int32 slot at a time with
 * Atomics.store (a 7-bit tag of the string's hash above code + 1; 0 = empty). A reader loads each slot with Atomics.load, ignores codes at
 * or past its version's length (a later version's strings), and always compares the bytes. Slots
 * only go from empty to full while a version lives, so the probe sequence of a string that was
 * present at this version passes only through slots that were already full: the lookup finds it.
 */

/** The code of `s` in the domain as of this version, or -1. */
export function lookupCode(src: SegmentSource, f64: Float64Array, w: number, s: string): number {
  const length = f64[w + D_LENGTH]!;
  const hashSeg = f64[w + D_HASH_SEG]!;
  if (length === 0 || hashSeg < 0) return -1;
  const cap = f64[w + D_HASH_CAP]!;
  const slots = src.get(hashSeg).i32;
  const base = f64[w + D_HASH_OFF]! >> 2;
  const offsets = src.get(f64[w + D_OFF_SEG]!).i32;
  const ob = f64[w + D_OFF_OFF]! >> 2;
  const bytes = src.get(f64[w + D_BYTES_SEG]!).u8;
  const bb = f64[w + D_BYTES_OFF]!;
  const mask = cap - 1;
  const hash = hashString(s);
  const tag = slotTag(hash);
  let i = hash & mask;
  for (let probe = 0; probe < cap; probe++, i = (i + 1) & mask) {
    const v = Atomics.load(slots, base + i);
    if (v === 0) return -1;
    // The tag filters out most other strings without touching their offsets and bytes.
    if (v >>> SLOT_CODE_BITS !== tag) continue;
    const code = (v & MAX_CODES) - 1;
    if (code < length && equalsUtf8(s, bytes, bb + offsets[ob + code]!, bb + offsets[ob + code + 1]!)) {
      return code;
    }
  }
  return -1;
}

/** Bits of a hash slot that hold code + 1; the 7 above them hold a tag of the string's hash. */
export const SLOT_CODE_BITS = 24;
/** The most strings a domain holds (code + 1 must fit the slot's code bits). */
export const MAX_CODES = (1 << SLOT_CODE_BITS) - 1;

/** The 7-bit tag of a hash stored beside the code: its top bits (the slot index uses the low). */
export function slotTag(hash: number): number {
  return hash >>> 25;
}

/** The string of `code` (which must be below this version's length). */
export function decodeCode(src: SegmentSource, f64: Float64Array, w: number, code: number): string {
  const offsets = src.get(f64[w + D_OFF_SEG]!).i32;
  const ob = f64[w + D_OFF_OFF]! >> 2;
  const bb = f64[w + D_BYTES_OFF]!;
  return readUtf8(src.get(f64[w + D_BYTES_SEG]!), bb + offsets[ob + code]!, bb + offsets[ob + code + 1]!);
}

/** Number of strings in the domain as of this version. */
export function domainLength(f64: Float64Array, w: number): number {
  return f64[w + D_LENGTH]!;
}
