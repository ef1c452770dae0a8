/**
 * Size classes of arena blocks. Up to 1 KiB the classes step by 64 bytes (every block stays 64-byte
 * aligned); above that, each power of two is split into four steps, so a block wastes at most a
 * fifth of its size while the number of free lists stays small.
 *
 * Every allocation and free computes a class, several times per transaction, so the common sizes
 * (below 2^30 bytes) use integer bit operations; larger ones fall back to floating point.
 */

const SMALL_STEP = 64;
const SMALL_LIMIT = 1024;
const SMALL_CLASSES = SMALL_LIMIT / SMALL_STEP; // classes 0..15 hold 64..1024 bytes
/** Classes whose sizes (at most 2^k + 2^k) stay below 2^31, where 32-bit shifts are exact. */
const BIT_LIMIT = 2 ** 30;

/** The class of a block of `bytes` bytes (bytes >= 1). */
export function sizeClassOf(bytes: number): number {
  if (bytes <= SMALL_LIMIT) return bytes <= SMALL_STEP ? 0 : ((bytes + SMALL_STEP - 1) >> 6) - 1;
  if (bytes <= BIT_LIMIT) {
    const k = 31 - Math.clz32(bytes - 1); // 2^k < bytes <= 2^(k+1)
    const sub = ((bytes - (1 << k) + (1 << (k - 2)) - 1) >> (k - 2)) - 1; // 0..3
    return SMALL_CLASSES + (k - 10) * 4 + sub;
  }
  const k = Math.floor(Math.log2(bytes - 1));
  const step = 2 ** (k - 2);
  const sub = Math.ceil((bytes - 2 ** k) / step) - 1;
  return SMALL_CLASSES + (k - 10) * 4 + sub;
}

/** The byte size of blocks of class `cls`. */
export function sizeOfClass(cls: number): number {
  if (cls < SMALL_CLASSES) return (cls + 1) * SMALL_STEP;
  const rel = cls - SMALL_CLASSES;
  const k = 10 + (rel >> 2);
  if (k < 29) return (1 << k) + (((rel & 3) + 1) << (k - 2));
  return 2 ** k + ((rel % 4) + 1) * 2 ** (k - 2);
}

/** The bytes actually given to a request of `bytes` bytes. */
export function blockSize(bytes: number): number {
  return sizeOfClass(sizeClassOf(bytes));
}
