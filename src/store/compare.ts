/**
 * Whether a comparison result `c` (negative, zero, positive) satisfies `op` (eq, ne, lt, lte, gt;
 * anything else is gte). A NaN result satisfies only `ne`: what cannot be ordered is neither less,
 * greater nor equal. Shared by query filters and ordered preconditions.
 */
export function holds(op: string, c: number): boolean {
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
    case 'gt':
      return c > 0;
    default:
      return c >= 0;
  }
}

/**
 * The order of strings everywhere the store compares them by value (ordered preconditions, query
 * filters and sorts): Unicode code point order, which is UTF-8 byte order. Another language
 * implementing batches or queries gets the same answer from its native byte comparison; JavaScript's
 * `<` compares UTF-16 code units instead, which differs once a string holds characters above U+FFFF.
 *
 * @returns a negative number, zero or a positive number as `a` sorts before, with or after `b`.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates UTF-16 order is code point order; a surrogate (0xD800-0xDFFF) stands
    // for a code point above 0xFFFF, so it sorts after every other unit up to 0xFFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys || (x < 0xd800 && y < 0xd800)) return x - y;
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}
