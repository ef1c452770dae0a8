import type { ChunkView } from '../store/arrow-view.js';

/*
 * Small helpers for reading cells of raw chunks, shared by the filter, aggregate and sort code.
 * int64 and timestamp values are read as two 32-bit halves (little-endian, as Arrow's buffers
 * are): comparing halves is exact for all 64 bits and makes no bigint per row.
 */

/** Whether row `i` of a chunk with this validity bitmap is not null. */
export const isValid = (validity: Uint8Array | null, i: number): boolean =>
  validity === null || (validity[i >> 3]! & (1 << (i & 7))) !== 0;

/** The halves of a chunk of 64-bit values: `hi[2i + 1]` (signed) and `lo[2i]` (unsigned). */
export interface Halves {
  readonly hi: Int32Array;
  readonly lo: Uint32Array;
}

/** Int32 and Uint32 views over a 64-bit chunk's values. */
export function halves(view: ChunkView): Halves {
  const v = view.values;
  const words = v.length * 2;
  return {
    hi: new Int32Array(v.buffer, v.byteOffset, words),
    lo: new Uint32Array(v.buffer, v.byteOffset, words),
  };
}

/** A 64-bit integer's signed high and unsigned low halves. */
export function splitBigInt(b: bigint): { hi: number; lo: number } {
  const u = BigInt.asUintN(64, b);
  return { hi: Number(BigInt.asIntN(32, u >> 32n)), lo: Number(u & 0xffff_ffffn) };
}

/** The bigint of two halves. */
export const joinHalves = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);

/** Compares (hi, lo) with (h2, l2) as signed 64-bit integers: -1, 0 or 1. */
export const compareHalves = (hi: number, lo: number, h2: number, l2: number): number =>
  hi !== h2 ? (hi < h2 ? -1 : 1) : lo !== l2 ? (lo < l2 ? -1 : 1) : 0;

/** A timestamp (or safe int64) as a number, from its halves: exact for every safe integer. */
export const halvesNumber = (h: Halves, i: number): number => h.hi[2 * i + 1]! * 0x1_0000_0000 + h.lo[2 * i]!;

/**
 * Compares the UTF-8 bytes [start, end) of `bytes` with `lit`: byte order is code point order,
 * which is `compareStrings` order, so utf8 cells are compared without decoding them.
 */
export function compareBytes(bytes: Uint8Array, start: number, end: number, lit: Uint8Array): number {
  const n = Math.min(end - start, lit.length);
  for (let k = 0; k < n; k++) {
    const d = bytes[start + k]! - lit[k]!;
    if (d !== 0) return d;
  }
  return end - start - lit.length;
}

const decoder = new TextDecoder();

/** Decodes the UTF-8 bytes [start, end) of a chunk (copied: the chunk aliases shared memory). */
export function utf8At(bytes: Uint8Array, start: number, end: number): string {
  return start === end ? '' : decoder.decode(bytes.slice(start, end));
}
