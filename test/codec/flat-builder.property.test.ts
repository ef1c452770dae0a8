/**
 * encodeBatch's FlatBuilder (src/codec/flat-builder.ts) against the plain FlatBuffers Builder:
 * the same random sequence of tables (values of random kinds and fields, columns, effects with
 * vectors of them; shapes repeating as in a batch) and strings gives the same bytes, with a new
 * builder (whose buffer grows as it writes) and with a reused one.
 */
import fc from 'fast-check';
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { FlatBuilder } from '../../src/codec/flat-builder.js';
import { Column, Effect, Value } from '../../src/codec/generated/mutation_generated.js';

type Step =
  | { t: 'value'; kind: number; bool: boolean; int: bigint; float: number | null; str: string | null }
  | { t: 'column'; name: string; value: Omit<Extract<Step, { t: 'value' }>, 't'> }
  | { t: 'effect'; op: number; table: string; columns: number; row: bigint }
  | { t: 'data'; table: string; bytes: Uint8Array };

const ascii = fc.string({
  unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const value = fc.record({
  kind: fc.integer({ min: 0, max: 8 }),
  bool: fc.boolean(),
  int: fc.oneof(fc.constant(0n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  float: fc.option(fc.double()),
  str: fc.option(ascii),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  value.map((v) => ({ t: 'value' as const, ...v })),
  fc.record({ t: fc.constant('column' as const), name: ascii, value }),
  fc.record({
    t: fc.constant('effect' as const),
    op: fc.integer({ min: 0, max: 11 }),
    table: ascii,
    columns: fc.integer({ min: 0, max: 5 }),
    row: fc.oneof(fc.constant(-1n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  }),
  // A load's data: bytes, sometimes more than a small buffer holds.
  fc.record({ t: fc.constant('data' as const), table: ascii, bytes: fc.uint8Array({ maxLength: 3000 }) }),
);

function writeValue(
  b: flatbuffers.Builder,
  v: Omit<Extract<Step, { t: 'value' }>, 't'>,
  str: (s: string) => number,
): number {
  const s = v.str === null ? 0 : str(v.str);
  Value.startValue(b);
  Value.addKind(b, v.kind);
  if (v.bool) Value.addBoolValue(b, true);
  Value.addIntValue(b, v.int);
  if (v.float !== null) Value.addFloatValue(b, v.float);
  if (s !== 0) Value.addStringValue(b, s);
  return Value.endValue(b);
}

/**
 * The bytes of `steps` built with `b`; `str` writes a string, and `bytes` a byte vector, as
 * encodeBatch does with this builder.
 */
function build(
  b: flatbuffers.Builder,
  steps: Step[],
  str: (s: string) => number,
  bytes: (d: Uint8Array) => number,
): Uint8Array {
  const columns: number[] = [];
  const tables: number[] = [];
  for (const s of steps) {
    if (s.t === 'value') tables.push(writeValue(b, s, str));
    else if (s.t === 'data') {
      const data = bytes(s.bytes);
      const table = str(s.table);
      Effect.startEffect(b);
      Effect.addTable(b, table);
      Effect.addData(b, data);
      tables.push(Effect.endEffect(b));
    } else if (s.t === 'column') {
      const value = writeValue(b, s.value, str);
      const name = str(s.name);
      Column.startColumn(b);
      Column.addName(b, name);
      Column.addValue(b, value);
      columns.push(Column.endColumn(b));
    } else {
      const vec = Effect.createColumnsVector(b, columns.slice(-s.columns));
      const table = str(s.table);
      Effect.startEffect(b);
      Effect.addOp(b, s.op);
      Effect.addTable(b, table);
      Effect.addRow(b, s.row);
      if (s.columns > 0) Effect.addColumns(b, vec);
      tables.push(Effect.endEffect(b));
    }
  }
  const all = Effect.createColumnsVector(b, [...tables, ...columns]);
  b.finish(all, 'ACSB');
  return b.asUint8Array().slice();
}

describe('FlatBuilder', () => {
  it('writes the bytes the plain Builder writes', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.constantFrom(8, 64, 1024), (steps, size) => {
        const plain = new flatbuffers.Builder(size);
        const want = build(
          plain,
          steps,
          (s) => plain.createString(s),
          (d) => Effect.createDataVector(plain, d),
        );
        // New, so that its buffer grows while tables and vtables are written.
        const fresh = new FlatBuilder(size);
        const mine = (f: FlatBuilder) =>
          build(
            f,
            steps,
            (s) => f.writeAscii(s),
            (d) => f.writeBytes(d),
          );
        expect(mine(fresh)).toEqual(want);
        // Reused as encodeBatch reuses it: what the last buffer left must not matter.
        const reused = new FlatBuilder(size);
        build(
          reused,
          steps.slice().reverse(),
          (s) => reused.writeAscii(s),
          (d) => reused.writeBytes(d),
        );
        reused.clear();
        expect(mine(reused)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});
