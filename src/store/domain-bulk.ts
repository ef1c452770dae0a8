import type { SegmentViews } from '../memory/segments.js';
import { HASH_ENTRY_WORDS, MAX_CODES, SLOT_CODE_BITS, slotTag } from './domain.js';
import {
  D_BYTE_LENGTH,
  D_BYTES_OFF,
  D_BYTES_SEG,
  D_HASH_CAP,
  D_HASH_COUNT,
  D_HASH_OFF,
  D_HASH_SEG,
  D_LENGTH,
  D_OFF_OFF,
  D_OFF_SEG,
} from './layout.js';
import { hashBytes } from './utf8.js';

/** Slot-order buckets: enough that each holds a few entries of the index, few enough to count fast. */
const BUCKET_BITS = 16;

/**
 * Fills an EMPTY domain with the distinct strings among `u8[offsets[j], offsets[j + 1])` for each j
 * in `picks[0, n)`, and sets `codes[j]` to each one's code. The caller has reserved room for all
 * of them (`TxDomain.canFillFresh`), and the domain's blocks, the hash index included, were made by
 * this transaction: nobody reads them yet, so plain stores do.
 *
 * Why not intern one by one: a million new keys land in random slots of a 32 MiB index, a cache
 * miss each, and that was a fifth of recovering a checkpoint. Here the strings are placed in slot
 * order (a counting sort of their hashes), so the index is written front to back; duplicates meet
 * in their probe sequence as usual. Codes follow first appearance in `picks`, as interning one by
 * one in that order would give.
 */
export function internFresh(
  ops: { get(seg: number): SegmentViews },
  w: Float64Array,
  u8: Uint8Array,
  offsets: Int32Array,
  picks: Int32Array,
  n: number,
  codes: Int32Array,
): number {
  const cap = w[D_HASH_CAP]!;
  const mask = cap - 1;
  const shift = Math.max(0, Math.log2(cap) - BUCKET_BITS);
  const hashes = new Int32Array(n);
  const counts = new Int32Array((1 << BUCKET_BITS) + 1);
  for (let k = 0; k < n; k++) {
    const j = picks[k]!;
    const h = hashBytes(u8, offsets[j]!, offsets[j + 1]!);
    hashes[k] = h;
    counts[((h & mask) >>> shift) + 1]!++;
  }
  for (let b = 1; b < counts.length; b++) counts[b]! += counts[b - 1]!;
  // Stable: within a bucket, picks keep their order, so of two equal strings the first is placed first.
  const order = new Int32Array(n);
  const sorted = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const at = counts[(hashes[k]! & mask) >>> shift]!++;
    order[at] = k;
    // The hash beside it, so that the placing loop reads both front to back.
    sorted[at] = hashes[k]!;
  }

  // 1. Place each pick under a provisional number (its index k); a pick equal to one placed before
  //    it is a duplicate of that one (`first[k]`, always an earlier k).
  const slots = ops.get(w[D_HASH_SEG]!).i32;
  const base = w[D_HASH_OFF]! >> 2;
  const first = new Int32Array(n).fill(-1);
  for (let o = 0; o < n; o++) {
    const k = order[o]!;
    const h = sorted[o]!;
    const tag = slotTag(h);
    let i = h & mask;
    for (;;) {
      const e = base + i * HASH_ENTRY_WORDS;
      const v = slots[e]!;
      if (v === 0) {
        slots[e] = (tag << SLOT_CODE_BITS) | (k + 1);
        slots[e + 3] = h;
        break;
      }
      if (slots[e + 3] === h) {
        const other = (v & MAX_CODES) - 1;
        if (sameBytes(u8, offsets, picks[other]!, picks[k]!)) {
          first[k] = other;
          break;
        }
      }
      i = (i + 1) & mask;
    }
  }

  // 2. Codes in order of first appearance; the strings' bytes appended in that order.
  const off = ops.get(w[D_OFF_SEG]!).i32;
  const ob = w[D_OFF_OFF]! >> 2;
  const bytes = ops.get(w[D_BYTES_SEG]!).u8;
  const bb = w[D_BYTES_OFF]!;
  const codeOf = new Int32Array(n);
  let code = 0;
  let at = 0;
  off[ob] = 0;
  // Strings whose bytes follow each other in the source (picks of consecutive entries, as a
  // checkpoint's rows name them) are copied as one run: a copy per string cost more than the bytes.
  let runFrom = 0;
  let runEnd = 0;
  let runAt = 0;
  for (let k = 0; k < n; k++) {
    const j = picks[k]!;
    if (first[k]! >= 0) {
      codeOf[k] = codeOf[first[k]!]!;
    } else {
      const start = offsets[j]!;
      const end = offsets[j + 1]!;
      if (start !== runEnd) {
        bytes.set(u8.subarray(runFrom, runEnd), bb + runAt);
        runFrom = start;
        runAt = at;
      }
      runEnd = end;
      at += end - start;
      off[ob + code + 1] = at;
      codeOf[k] = code++;
    }
    codes[j] = codeOf[k]!;
  }
  bytes.set(u8.subarray(runFrom, runEnd), bb + runAt);

  // 3. The index's entries from provisional numbers to codes and byte ranges, front to back.
  for (let i = 0; i < cap; i++) {
    const e = base + i * HASH_ENTRY_WORDS;
    const v = slots[e]!;
    if (v === 0) continue;
    const c = codeOf[(v & MAX_CODES) - 1]!;
    slots[e] = (v & ~MAX_CODES) | (c + 1);
    slots[e + 1] = off[ob + c]!;
    slots[e + 2] = off[ob + c + 1]!;
  }
  w[D_LENGTH] = code;
  w[D_BYTE_LENGTH] = at;
  w[D_HASH_COUNT] = code;
  return code;
}

function sameBytes(u8: Uint8Array, offsets: Int32Array, a: number, b: number): boolean {
  const as = offsets[a]!;
  const bs = offsets[b]!;
  const n = offsets[a + 1]! - as;
  if (offsets[b + 1]! - bs !== n) return false;
  for (let i = 0; i < n; i++) if (u8[as + i] !== u8[bs + i]) return false;
  return true;
}
