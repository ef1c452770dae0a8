/**
 * Size classes of arena blocks. Up to 1 KiB the classes step by 64 bytes (every block stays 64-byte
 * aligned); above that, each power of two is split into four steps, so a block wastes at most a
 * fifth of its size while the number of free lists stays small.
 *
 * The writer maps sizes to classes on every alloc and free, so sizes up to 1 GiB take integer
 * arithmetic (`Math.clz32` and shifts): `2 ** k` and `Math.log2` cost V8 tens of nanoseconds each,
 * which a single-row write would pay several times over. Larger sizes take the same formula in
 * floating point.
 */

const SMALL_STEP = 64;
const SMALL_LIMIT = 1024;
const SMALL_CLASSES = SMALL_LIMIT / SMALL_STEP; // classes 0..15 hold 64..1024 bytes
/** Up to this size, sizes and their classes' sizes fit the int32 arithmetic below. */
const INT_LIMIT = 2 ** 30;
/** The first class whose size exceeds INT_LIMIT. */
const INT_CLASSES = SMALL_CLASSES + (30 - 10) * 4;

/** The class of a block of `bytes` bytes (bytes >= 1). */
export function sizeClassOf(bytes: number): number {
  if (bytes <= SMALL_LIMIT) return bytes <= SMALL_STEP ? 0 : Math.ceil(bytes / SMALL_STEP) - 1;
  if (bytes <= INT_LIMIT && bytes === (bytes | 0)) {
    const k = 31 - Math.clz32(bytes - 1); // 2^k < bytes <= 2^(k+1)
    const shift = k - 2;
    const sub = ((bytes - (1 << k) + (1 << shift) - 1) >> shift) - 1; // 0..3
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
  if (cls < INT_CLASSES) return (1 << k) + (((rel & 3) + 1) << (k - 2));
  return 2 ** k + ((rel % 4) + 1) * 2 ** (k - 2);
}

/** The bytes actually given to a request of `bytes` bytes. */
export function blockSize(bytes: number): number {
  return sizeOfClass(sizeClassOf(bytes));
}
