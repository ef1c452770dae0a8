/**
 * UTF-8 helpers that work on a JS string and on bytes in shared memory without allocating: the
 * comparison walks the string's UTF-8 encoding on the fly (lone surrogates become U+FFFD, as
 * TextEncoder writes them) and the hash reads ASCII strings directly, so a reader can look an
 * identifier up without encoding it first.
 */

const encoder = new TextEncoder();

/** The code point at `i` of `s` (U+FFFD for a lone surrogate) and how many code units it takes. */
function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return c;
  if (c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  return 0xfffd;
}

/*
 * The string hash is MurmurHash3 (x86, 32-bit, seed 0) of the UTF-8 bytes. It takes the bytes four
 * at a time, so an ASCII key costs a quarter of the dependent multiplies of a byte-at-a-time hash,
 * and its finalizer mixes every input bit into the low bits (the slot index) and the top ones (the
 * tag). Nothing outside a running store depends on its values: the hash index is rebuilt, never
 * persisted.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Mixes the little-endian word `k` of four bytes into `h`. */
function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = Math.imul((k << 15) | (k >>> 17), C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Mixes in the last 0 to 3 bytes (`tail`, little-endian) and the length; the final avalanche. */
function finish(h: number, tail: number, length: number): number {
  if ((length & 3) !== 0) {
    tail = Math.imul(tail, C1);
    h ^= Math.imul((tail << 15) | (tail >>> 17), C2);
  }
  h ^= length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

let scratch = new Uint8Array(256);

/**
 * A key's UTF-8 bytes as little-endian Int32 words (the last one holding the 0 to 3 tail bytes),
 * made while hashing it: a candidate's bytes are then compared four at a time instead of one UTF-16
 * code unit at a time. Filled for ASCII keys only; other keys compare through equalsUtf8.
 */
export class KeyBytes {
  /** The words; grown as longer keys come. */
  words = new Int32Array(16);
  /** Bytes (= code units) of the last key hashed into this if it was ASCII, else -1. */
  length = -1;
}

const shared = new KeyBytes();

/** The hash of `s`: equal to `hashBytes` of its UTF-8 encoding. */
export function hashString(s: string): number {
  return hashKey(s, shared);
}

/** `hashString(s)`, keeping the bytes of an ASCII `s` in `key` for `equalsKey`. */
export function hashKey(s: string, key: KeyBytes): number {
  const n = s.length;
  if (key.words.length * 4 < n + 4) key.words = new Int32Array((n >> 2) + 16);
  const words = key.words;
  key.length = -1;
  let h = 0;
  let i = 0;
  let k = 0;
  // ASCII, the common identifier, is its own UTF-8: hash the code units directly.
  for (; i + 4 <= n; i += 4, k++) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) return hashEncoded(s);
    const word = a | (b << 8) | (c << 16) | (d << 24);
    words[k] = word;
    h = mixWord(h, word);
  }
  let tail = 0;
  for (let shift = 0; i < n; i++, shift += 8) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return hashEncoded(s);
    tail |= c << shift;
  }
  words[k] = tail;
  key.length = n;
  return finish(h, tail, n);
}

/**
 * Whether `u8[start, end)` (`dv` is a DataView of the same memory) is the UTF-8 encoding of `s`,
 * which was the last string hashed into `key` (by hashKey).
 */
export function equalsKey(
  s: string,
  key: KeyBytes,
  dv: DataView,
  u8: Uint8Array,
  start: number,
  end: number,
): boolean {
  const n = key.length;
  if (n < 0) return equalsUtf8(s, u8, start, end);
  if (end - start !== n) return false;
  const words = key.words;
  let at = start;
  let k = 0;
  for (; at + 4 <= end; at += 4, k++) if (dv.getInt32(at, true) !== words[k]) return false;
  let tail = 0;
  for (let shift = 0; at < end; at++, shift += 8) tail |= u8[at]! << shift;
  return tail === words[k];
}

/** The hash of a string that is not all ASCII: encoded first (as the writer stores it). */
function hashEncoded(s: string): number {
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3);
  return hashBytes(scratch, 0, encoder.encodeInto(s, scratch).written);
}

/**
 * `hashBytes(u8, start, end)`, keeping the bytes in `key` for `equalsKey` (whatever they are: a
 * key made from bytes compares as bytes, so it needs no string).
 */
export function hashBytesKey(u8: Uint8Array, start: number, end: number, key: KeyBytes): number {
  const n = end - start;
  if (key.words.length * 4 < n + 4) key.words = new Int32Array((n >> 2) + 16);
  const words = key.words;
  let h = 0;
  let i = start;
  let k = 0;
  for (; i + 4 <= end; i += 4, k++) {
    const word = u8[i]! | (u8[i + 1]! << 8) | (u8[i + 2]! << 16) | (u8[i + 3]! << 24);
    words[k] = word;
    h = mixWord(h, word);
  }
  let tail = 0;
  for (let shift = 0; i < end; i++, shift += 8) tail |= u8[i]! << shift;
  words[k] = tail;
  key.length = n;
  return finish(h, tail, n);
}

/** The hash of the bytes `u8[start, end)`. */
export function hashBytes(u8: Uint8Array, start: number, end: number): number {
  let h = 0;
  let i = start;
  for (; i + 4 <= end; i += 4)
    h = mixWord(h, u8[i]! | (u8[i + 1]! << 8) | (u8[i + 2]! << 16) | (u8[i + 3]! << 24));
  let tail = 0;
  for (let shift = 0; i < end; i++, shift += 8) tail |= u8[i]! << shift;
  return finish(h, tail, end - start);
}

/** Whether `u8[start, end)` is the UTF-8 encoding of `s`. */
export function equalsUtf8(s: string, u8: Uint8Array, start: number, end: number): boolean {
  // Every UTF-16 code unit takes at least one UTF-8 byte.
  if (end - start < s.length) return false;
  let j = start;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (u8[j++] !== c) return false;
      continue;
    }
    const cp = codePointAt(s, i);
    if (cp < 0x80) {
      if (j >= end || u8[j++] !== cp) return false;
      continue;
    }
    let n: number;
    if (cp < 0x800) {
      if (j + 2 > end || u8[j] !== (0xc0 | (cp >> 6))) return false;
      n = 1;
    } else if (cp < 0x10000) {
      if (j + 3 > end || u8[j] !== (0xe0 | (cp >> 12))) return false;
      n = 2;
    } else {
      i++;
      if (j + 4 > end || u8[j] !== (0xf0 | (cp >> 18))) return false;
      n = 3;
    }
    j++;
    for (let k = n - 1; k >= 0; k--) if (u8[j++] !== (0x80 | ((cp >> (6 * k)) & 0x3f))) return false;
  }
  return j === end;
}

/** Bytes of the UTF-8 encoding of `s`. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    if (cp < 0x80) n += 1;
    else if (cp < 0x800) n += 2;
    else if (cp < 0x10000) n += 3;
    else {
      n += 4;
      i++;
    }
  }
  return n;
}

/** Writes the UTF-8 encoding of `s` at `u8[at]` (room checked by the caller); returns its length. */
export function writeUtf8(s: string, u8: Uint8Array, at: number, length: number): number {
  // ASCII, the common identifier, is written unit by unit: encodeInto needs a subarray made per
  // call, which costs more than the copy for strings this short.
  if (length === s.length && length <= 64) {
    let i = 0;
    for (; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      u8[at + i] = c;
    }
    if (i === length) return length;
  }
  return encoder.encodeInto(s, u8.subarray(at, at + length)).written;
}

/**
 * Decodes the UTF-8 at `[start, end)` of a segment. Short ASCII strings, the common identifier,
 * are built directly; longer ones go through the segment's Buffer, which decodes without a copy.
 */
export function readUtf8(
  v: { readonly u8: Uint8Array; readonly buf: Buffer },
  start: number,
  end: number,
): string {
  if (end - start <= 8) {
    const u8 = v.u8;
    let s = '';
    for (let i = start; i < end; i++) {
      const b = u8[i]!;
      if (b >= 0x80) return v.buf.toString('utf8', start, end);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return v.buf.toString('utf8', start, end);
}
