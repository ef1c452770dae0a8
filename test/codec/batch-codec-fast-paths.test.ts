import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { Batch as FbBatch } from '../../src/codec/generated/mutation_generated.js';
import { type Batch, batch, decodeBatch, encodeBatch, type Value } from '../../src/index.js';
import type { RowInput } from '../../src/store/values.js';

// The codec writes and reads int64 fields, short ASCII strings and names without the generated
// code's bigints and TextEncoder/TextDecoder; these are the edge cases of those fast paths.

const utf8 = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));
const roundTrip = (b: Batch, version = 0) => decodeBatch(encodeBatch(b, version));
const valuesBack = (values: RowInput) =>
  (roundTrip(batch().update('t', 1, values).build()).batch.effects[0] as { values: Record<string, unknown> })
    .values;

const INTS = [
  0,
  1,
  -1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  -(2 ** 32),
  -(2 ** 32) - 1,
  2 ** 52 + 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER - 1,
];

describe('batch codec fast paths', () => {
  it('round-trips safe integers, and writes them as the int64 the generated reader sees', () => {
    const values = Object.fromEntries(INTS.map((v, i) => [`c${i}`, v]));
    expect(valuesBack(values)).toEqual(values);
    // What another language's flatc code reads: the generated accessor's bigint.
    const root = FbBatch.getRootAsBatch(
      new flatbuffers.ByteBuffer(encodeBatch(batch().update('t', 1, values).build())),
    );
    const effect = root.effects(0)!;
    for (let k = 0; k < effect.columnsLength(); k++) {
      const c = effect.columns(k)!;
      expect(c.value()!.intValue()).toBe(BigInt(values[c.name()!]!));
    }
  });

  it('keeps -0, NaN, infinities and fractions as doubles, and bigints (extremes too) as bigints', () => {
    const values = {
      a: -0,
      b: Number.NaN,
      c: Number.POSITIVE_INFINITY,
      d: Number.NEGATIVE_INFINITY,
      e: 2 ** 53,
      f: -(2 ** 60),
      g: 0.1,
      h: 0n,
      i: -1n,
      j: 2n ** 32n,
      k: 2n ** 63n - 1n,
      l: -(2n ** 63n),
      m: -(2n ** 32n) - 1n,
    };
    const back = valuesBack(values);
    expect(back).toEqual(values);
    expect(Object.is(back.a, -0)).toBe(true);
  });

  it('writes Dates as their milliseconds, before and after the epoch', () => {
    const dates = [
      new Date(0),
      new Date(-1),
      new Date(-8.64e15),
      new Date(8.64e15),
      new Date(1_767_225_600_123),
    ];
    const back = valuesBack(Object.fromEntries(dates.map((d, i) => [`d${i}`, d])));
    expect(Object.values(back)).toEqual(dates.map((d) => d.getTime()));
  });

  it('round-trips versions, seq and rows near 2^53', () => {
    for (const version of [0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(roundTrip({ effects: [] }, version).version).toBe(version);
    }
    for (const seq of [0, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER]) {
      expect(roundTrip({ effects: [], producer: 'p', seq }).batch).toEqual({
        effects: [],
        producer: 'p',
        seq,
      });
    }
    const rows = [0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    const b = batch();
    for (const row of rows) b.deleteAt('t', row).updateAt('t', row, { a: 1 });
    expect(roundTrip(b.build()).batch).toEqual(b.build());
  });

  it('round-trips strings around the ASCII fast path as TextEncoder/TextDecoder would', () => {
    const strings = [
      '',
      'a',
      'online',
      '\u0000\u007f',
      'x'.repeat(127),
      'x'.repeat(128),
      'x'.repeat(129),
      `${'x'.repeat(127)}é`,
      `é${'x'.repeat(200)}`,
      'ünïcödé 漢字 🚀',
      '\u0080',
      '\ud800', // lone surrogates become U+FFFD, as TextEncoder writes them
      'a\udc00b',
      '\ud83d\ude80',
      '\ufeffbom',
    ];
    const values = Object.fromEntries(strings.map((s, i) => [`s${i}`, s]));
    const back = valuesBack(values);
    expect(back).toEqual(Object.fromEntries(strings.map((s, i) => [`s${i}`, utf8(s)])));
    // And as keys and string lists.
    const b = batch();
    for (const s of strings) b.update('t', s, { list: [s, 'ascii'] });
    const effects = roundTrip(b.build()).batch.effects as unknown as {
      key: string;
      values: { list: string[] };
    }[];
    expect(effects.map((e) => e.key)).toEqual(strings.map(utf8));
    expect(effects.map((e) => e.values.list)).toEqual(strings.map((s) => [utf8(s), 'ascii']));
  });

  it('round-trips table and column names: non-ASCII, long, repeated, and more than the name cache holds', () => {
    const names = ['n', 'tasks_assigned', 'größe', '\ud800', 'c'.repeat(64), 'c'.repeat(65), 'd'.repeat(300)];
    for (let round = 0; round < 2; round++) {
      const b = batch();
      for (const name of names) {
        b.update(name, 1, { [name]: 1, s: { [name]: 2 } });
        b.increment(name, 1, name, 1);
      }
      const effects = roundTrip(b.build()).batch.effects;
      const sent = b.build().effects as unknown as { op: string; table: string; column: string }[];
      expect(effects).toEqual(
        sent.map((e) =>
          e.op === 'update'
            ? { ...e, table: utf8(e.table), values: { [utf8(e.table)]: 1, s: { [utf8(e.table)]: 2 } } }
            : { ...e, table: utf8(e.table), column: utf8(e.column) },
        ),
      );
    }
    // Far more distinct names than the cache keeps, in batches of one effect and of many.
    const many = Array.from({ length: 3000 }, (_, i) => `col_${i}`);
    for (const name of many) {
      expect(valuesBack({ [name]: 1 })).toEqual({ [name]: 1 });
    }
    const wide = Object.fromEntries(many.map((name, i) => [name, i]));
    expect(valuesBack(wide)).toEqual(wide);
  });

  it('gives each encoded batch bytes of its own, also after a large batch and from within another encode', () => {
    const first = encodeBatch(batch().update('t', 1, { a: 'first' }).build());
    const copy = first.slice();
    const big = batch();
    for (let i = 0; i < 20_000; i++) big.update('t', i, { a: `value ${i}` });
    const bigBytes = encodeBatch(big.build());
    expect(bigBytes.length).toBeGreaterThan(1 << 20);
    expect(first).toEqual(copy);
    expect(first.buffer.byteLength).toBe(first.length); // its own buffer: safe to transfer
    expect(decodeBatch(bigBytes).batch).toEqual(big.build());

    // A getter that encodes another batch while this one is being encoded.
    let inner: Uint8Array | null = null;
    const row: Record<string, Value> = { a: 1 };
    Object.defineProperty(row, 'b', {
      enumerable: true,
      get() {
        inner = encodeBatch(batch().update('u', 'k', { z: 'inner' }).build(), 7);
        return 'outer';
      },
    });
    const outer = encodeBatch(batch().update('t', 1, row).build(), 3);
    expect(decodeBatch(outer)).toEqual({
      version: 3,
      batch: { effects: [{ op: 'update', table: 't', key: 1, values: { a: 1, b: 'outer' } }] },
    });
    expect(decodeBatch(inner!)).toEqual({
      version: 7,
      batch: { effects: [{ op: 'update', table: 'u', key: 'k', values: { z: 'inner' } }] },
    });
  });

  it('recovers from a batch it refused halfway', () => {
    expect(() =>
      encodeBatch(
        batch()
          .update('t', 1, { a: 'x', b: 2n ** 64n })
          .build(),
      ),
    ).toThrow();
    const b = batch().update('t', 1, { a: 'x' }).build();
    expect(roundTrip(b).batch).toEqual(b);
  });
});
