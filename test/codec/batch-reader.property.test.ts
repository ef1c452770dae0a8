/**
 * decodeBatch's quick reader (src/codec/batch-reader.ts) against the generated-accessor decoder it
 * leaves the hard cases to: over random batches of every op and value kind (ASCII and not, long
 * names, nested structs, names repeated within a batch), and over the same bytes damaged (bytes
 * changed, cut short), readBatch gives exactly what decodeWithAccessors gives, or null. It must not
 * give null for a well-formed batch without a bigint or a load, or the quick path would quietly be
 * the slow one.
 */
import { tableFromArrays } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWithAccessors } from '../../src/codec/batch-decode.js';
import { readBatch } from '../../src/codec/batch-reader.js';
import { type Batch, decodeBatch, type Effect, encodeBatch, StateError } from '../../src/index.js';
import type { RowInput, Value } from '../../src/store/values.js';
import { byteDamage } from '../support/damage.js';

// Not empty: encodeBatch writes an empty name as an absent one, which no decoder reads back.
const name = fc.oneof(
  fc.constantFrom('tasks', 'nodes', 'status', 'priority', 'resources', 'cpu', 'ünï', '名前', 'x'.repeat(70)),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
);
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('\uFEFFbom', 'x'.repeat(100), 'é'.repeat(40)),
);
const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 0.5),
  text,
  fc.array(text, { maxLength: 4 }),
);
const value: fc.Arbitrary<Value> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.dictionary(name, scalar, { maxKeys: 3 }) as fc.Arbitrary<Value> },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }) as unknown as fc.Arbitrary<Value> },
);
const row = fc.dictionary(name, value, { maxKeys: 4 }) as fc.Arbitrary<RowInput>;
const key = fc.oneof(fc.maxSafeInteger(), text);
const position = fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.maxSafeInteger());
const condition = fc.oneof(
  fc.boolean().map((exists) => ({ exists })),
  fc
    .tuple(name, fc.constantFrom('equals', 'notEquals', 'lt', 'lte', 'gt', 'gte'), scalar)
    .map(([column, relation, v]) => ({ column, [relation]: v })),
  fc.tuple(name, fc.array(scalar, { maxLength: 3 })).map(([column, values]) => ({ column, in: values })),
);
const effect: fc.Arbitrary<Effect> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), table: name, row }),
  fc.record({ op: fc.constant('upsert' as const), table: name, row }),
  fc.record({ op: fc.constant('update' as const), table: name, key, values: row }),
  fc.record({ op: fc.constant('updateAt' as const), table: name, row: position, values: row }),
  fc.record({ op: fc.constant('delete' as const), table: name, key }),
  fc.record({ op: fc.constant('deleteAt' as const), table: name, row: position }),
  fc.record({
    op: fc.constant('increment' as const),
    table: name,
    key,
    column: name,
    by: fc.oneof(fc.integer(), fc.double()),
  }),
  fc.record({
    op: fc.constantFrom('listAdd' as const, 'listRemove' as const),
    table: name,
    key,
    column: name,
    value: text,
  }),
  fc.record({ op: fc.constant('require' as const), table: name, key, condition }) as fc.Arbitrary<Effect>,
  fc.record({
    op: fc.constant('setMeta' as const),
    key: text,
    value: fc.oneof(fc.constant(null), text, fc.double({ noNaN: true, noDefaultInfinity: true })),
  }),
);
/** Effects the quick reader hands over: bigints, loads. */
const handedOver: fc.Arbitrary<Effect> = fc.oneof(
  fc.record({ op: fc.constant('update' as const), table: name, key, values: fc.constant({ big: 5n }) }),
  fc.record({
    op: fc.constant('increment' as const),
    table: name,
    key,
    column: name,
    by: fc.bigInt({ min: -9n, max: 9n }),
  }),
  fc.constant({ op: 'load' as const, table: 'tasks', rows: tableFromArrays({ n: Int32Array.from([1, 2]) }) }),
);
const batch = (effects: fc.Arbitrary<Effect>): fc.Arbitrary<Batch> =>
  fc
    .record(
      {
        effects: fc.array(effects, { maxLength: 6 }),
        producer: fc.oneof(text, fc.constant('writer-1')),
        seq: fc.maxSafeInteger().map(Math.abs),
      },
      { requiredKeys: ['effects'] },
    )
    .map((b) => b as Batch);
const version = fc.oneof(fc.constant(0), fc.maxSafeInteger().map(Math.abs));

/** What decoding `bytes` gives: the result, or the error's code, message and details. */
function outcome(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): unknown {
  try {
    return { ok: decode(bytes) };
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
}

describe('decodeBatch: the quick reader and the accessor decoder', () => {
  it('read every well-formed batch alike, and the quick reader reads all but bigints and loads', () => {
    fc.assert(
      fc.property(batch(effect), version, (b, v) => {
        const bytes = encodeBatch(b, v);
        const quick = readBatch(bytes);
        expect(quick).not.toBeNull();
        expect(quick).toEqual(decodeWithAccessors(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('hand over batches with a bigint or a load, which then decode as before', () => {
    fc.assert(
      fc.property(batch(fc.oneof(effect, handedOver)), fc.nat(), (b, pick) => {
        const effects = [...b.effects];
        const extra = fc.sample(handedOver, { seed: pick, numRuns: 1 })[0]!;
        effects.splice(pick % (effects.length + 1), 0, extra);
        const bytes = encodeBatch({ ...b, effects });
        expect(readBatch(bytes)).toBeNull();
        expect(outcome(decodeBatch, bytes)).toEqual(outcome(decodeWithAccessors, bytes));
      }),
      { numRuns: 100 },
    );
  });

  it('give damaged bytes the same result or the same INVALID_BATCH error as before', () => {
    const damage = byteDamage();
    fc.assert(
      fc.property(batch(effect), damage, (b, harm) => {
        const bytes = harm(encodeBatch(b, 7));
        const quick = readBatch(bytes);
        const before = outcome(decodeWithAccessors, bytes);
        if (quick !== null) expect({ ok: quick }).toEqual(before);
        expect(outcome(decodeBatch, bytes)).toEqual(before);
      }),
      { numRuns: 1500 },
    );
  });
});
