/**
 * Size classes of arena blocks. Up to 1 KiB the classes step by 64 bytes (every block stays 64-byte
 * aligned); above that, each power of two is split into four steps, so a block wastes at most a
 * fifth of its size while the number of free lists stays small.
 */

const SMALL_STEP = 64;
const SMALL_LIMIT = 1024;
const SMALL_CLASSES = SMALL_LIMIT / SMALL_STEP; // classes 0..15 hold 64..1024 bytes

/** The class of a block of `bytes` bytes (bytes >= 1). */
export function sizeClassOf(bytes: number): number {
  if (bytes <= SMALL_LIMIT) return Math.max(0, Math.ceil(bytes / SMALL_STEP) - 1);
  const k = Math.floor(Math.log2(bytes - 1)); // 2^k < bytes <= 2^(k+1)
  const step = 2 ** (k - 2);
  const sub = Math.ceil((bytes - 2 ** k) / step) - 1; // 0..3
  return SMALL_CLASSES + (k - 10) * 4 + sub;
}

/** The byte size of blocks of class `cls`. */
export function sizeOfClass(cls: number): number {
  if (cls < SMALL_CLASSES) return (cls + 1) * SMALL_STEP;
  const rel = cls - SMALL_CLASSES;
  const k = 10 + Math.floor(rel / 4);
  return 2 ** k + ((rel % 4) + 1) * 2 ** (k - 2);
}

/** The bytes actually given to a request of `bytes` bytes. */
export function blockSize(bytes: number): number {
  return sizeOfClass(sizeClassOf(bytes));
}
