/**
 * Timestamps and int64 columns of mode 'number' are written as the two 32-bit halves of their
 * number, with no bigint made: every value of their range, negative ones and both edges included,
 * must read back as written, from rows and from the Arrow view (where it is a bigint).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int32, int64, Store, schema, table, timestamp } from '../../src/index.js';

const s = schema([
  table(
    't',
    { id: int32(), at: timestamp({ nullable: true }), n: int64({ mode: 'number' }), big: int64() },
    { key: 'id' },
  ),
]);
const TS = 8.64e15;
const safe = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 32) + 1),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.maxSafeInteger(),
);
const time = fc.oneof(fc.constantFrom(TS, -TS, 0, -1, 2 ** 32), fc.integer({ min: -TS, max: TS }));

describe('number cells of 64-bit columns', () => {
  it('read back as written, inserted and updated', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(time, safe, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), {
          minLength: 1,
          maxLength: 20,
        }),
        time,
        safe,
        (rows, at, n) => {
          const store = Store.create(s);
          store.write((tx) => {
            for (const [id, [at, n, big]] of rows.entries()) tx.insert('t', { id, at, n, big });
          });
          store.write((tx) => tx.update('t', 0, { at, n: BigInt(n) }));
          const want = rows.map(([at, n, big], id) => ({ id, at: at + 0, n: n + 0, big }));
          want[0]!.at = at + 0;
          want[0]!.n = n + 0;
          store.read((snap) => {
            for (const row of want) expect(snap.get('t', row.id)).toEqual(row);
            const view = snap.table('t');
            for (let i = 0; i < want.length; i++) {
              expect(view.getChild('n')!.get(i)).toBe(BigInt(want[i]!.n));
              expect(view.getChild('at')!.get(i)).toBe(want[i]!.at);
            }
          });
          store.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});
