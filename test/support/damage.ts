// Damage to encoded bytes, for the decoders' tests: a few bytes changed, or the bytes cut short.
import fc from 'fast-check';

/** A function that damages bytes (a copy); with `undamaged`, sometimes leaves them whole. */
export function byteDamage(undamaged = false): fc.Arbitrary<(bytes: Uint8Array) => Uint8Array> {
  const ways: fc.Arbitrary<(bytes: Uint8Array) => Uint8Array>[] = [
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
      .map((changes) => (bytes: Uint8Array) => {
        const out = bytes.slice();
        for (const [at, byte] of changes) out[at % out.length] = byte;
        return out;
      }),
    fc.nat().map((cut) => (bytes: Uint8Array) => bytes.slice(0, cut % bytes.length)),
  ];
  if (undamaged) ways.push(fc.constant((bytes: Uint8Array) => bytes));
  return fc.oneof(...ways);
}
