/**
 * UTF-8 helpers that work on a JS string and on bytes in shared memory without allocating: the
 * hash and the comparison walk the string's UTF-8 encoding on the fly (lone surrogates become
 * U+FFFD, as TextEncoder writes them), so a reader can look a string up without encoding it first.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

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

/** FNV-1a over the UTF-8 bytes of `s`. */
export function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    const cp = codePointAt(s, i);
    if (cp < 0x80) {
      h = Math.imul(h ^ cp, FNV_PRIME);
      continue;
    }
    if (cp < 0x800) {
      h = Math.imul(h ^ (0xc0 | (cp >> 6)), FNV_PRIME);
    } else if (cp < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (cp >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), FNV_PRIME);
    } else {
      i++;
      h = Math.imul(h ^ (0xf0 | (cp >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((cp >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
  }
  return h >>> 0;
}

/** FNV-1a over `u8[start, end)`: equal to `hashString` of the string those bytes encode. */
export function hashBytes(u8: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ u8[i]!, FNV_PRIME);
  return h >>> 0;
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
