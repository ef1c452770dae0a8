/**
 * The data of the query property tests: a small schema with every column type (nullable ones,
 * dictionaries whose code order differs from their string order, utf8, a list, a struct, int64
 * extremes, timestamps), random rows for it with some columns all null, and a store holding them.
 */
import fc from 'fast-check';
import {
  bool,
  dictionary,
  float32,
  float64,
  int8,
  int32,
  int64,
  list,
  Store,
  schema,
  struct,
  table,
  timestamp,
  uint16,
  uint32,
  utf8,
} from '../../src/index.js';

export const querySchema = schema([
  table(
    'items',
    {
      id: int32(),
      i8: int8({ nullable: true }),
      u16: uint16(),
      i32: int32({ nullable: true }),
      u32: uint32({ nullable: true }),
      big: int64({ nullable: true }),
      f32: float32({ nullable: true }),
      f64: float64(),
      flag: bool({ nullable: true }),
      ts: timestamp({ nullable: true }),
      cat: dictionary('cat', { width: 8, nullable: true }),
      owner: dictionary('owner', { nullable: true }),
      text: utf8({ nullable: true }),
      tags: list(dictionary('tag'), { nullable: true }),
      res: struct({ cpu: int32(), mem: int64({ nullable: true }), ok: bool() }),
    },
    { key: 'id', rowGroupSize: 8 },
  ),
  table(
    'owners',
    {
      name: dictionary('owner'),
      tier: dictionary('tier', { width: 8 }),
      score: int32({ nullable: true }),
      weight: int64(),
      active: bool({ nullable: true }),
      note: utf8({ nullable: true }),
    },
    { key: 'name', rowGroupSize: 8 },
  ),
]);

/** Strings whose code order (first use) differs from their string order, with non-BMP ones. */
export const CATS = ['m', 'b', 'B', 'é', '😀', '\uffff', '', 'ab', 'a'];
export const OWNERS = ['own-3', 'own-1', 'own-2', 'own-0', 'own-4'];
export const TIERS = ['gold', 'bronze', 'silver'];
export const TAGS = ['x', 'y', 'z', 'w'];
export const TEXTS = ['', 'a', 'b', 'ab', 'é', '😀', 'zz'];

const maybe = <T>(arb: fc.Arbitrary<T>, nullable: boolean) =>
  nullable ? fc.option(arb, { nil: null, freq: 3 }) : arb;

/** Exactly representable floats (quarters), so sums are exact in any order. */
export const quarter = fc.integer({ min: -40, max: 40 }).map((x) => x / 4);
export const bigArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -5n, max: 5n }),
  fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n)),
);
export const tsArb = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.constantFrom(2 ** 32 - 1, 2 ** 32, -(2 ** 32)),
);

/** Per column: arbitrary values (null included when `nulls`, only null when `allNull`). */
function itemArb(allNull: ReadonlySet<string>) {
  const v = <T>(name: string, arb: fc.Arbitrary<T>, nullable = true) =>
    allNull.has(name) ? fc.constant(null) : maybe(arb, nullable);
  return fc.record({
    i8: v('i8', fc.integer({ min: -128, max: 127 })),
    u16: v('u16', fc.integer({ min: 0, max: 65535 }), false),
    i32: v('i32', fc.integer({ min: -5, max: 5 })),
    u32: v('u32', fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    big: v('big', bigArb),
    f32: v('f32', quarter),
    f64: v('f64', quarter, false),
    flag: v('flag', fc.boolean()),
    ts: v('ts', tsArb),
    cat: v('cat', fc.constantFrom(...CATS)),
    owner: v('owner', fc.constantFrom(...OWNERS)),
    text: v('text', fc.constantFrom(...TEXTS)),
    tags: v('tags', fc.array(fc.constantFrom(...TAGS), { maxLength: 3 })),
    res: fc.record({
      cpu: fc.integer({ min: 0, max: 3 }),
      mem: v('res.mem', bigArb),
      ok: fc.boolean(),
    }),
  });
}

const NULLABLE = ['i8', 'i32', 'u32', 'big', 'f32', 'flag', 'ts', 'cat', 'owner', 'text', 'tags', 'res.mem'];

/** A data set: items (0 to 40, some deleted again), owners (0 to 4 of the 5 names). */
export const dataArb = fc.subarray(NULLABLE, { maxLength: 3 }).chain((allNull) =>
  fc.record({
    items: fc.oneof(
      fc.array(itemArb(new Set(allNull)), { maxLength: 4 }),
      fc.array(itemArb(new Set(allNull)), { minLength: 10, maxLength: 40, size: 'max' }),
    ),
    deletes: fc.array(fc.nat(60), { maxLength: 8 }),
    owners: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...OWNERS.slice(0, 4)),
        tier: fc.constantFrom(...TIERS),
        score: maybe(fc.integer({ min: -3, max: 3 }), true),
        weight: bigArb,
        active: maybe(fc.boolean(), true),
        note: maybe(fc.constantFrom(...TEXTS), true),
      }),
      { selector: (o) => o.name, maxLength: 4, size: 'max' },
    ),
  }),
);

export type Data = typeof dataArb extends fc.Arbitrary<infer T> ? T : never;

/** A store holding `data` (items inserted then some deleted, so rows move). */
export function storeOf(data: Data): Store {
  const store = Store.create(querySchema, { rowGroupSize: 8 });
  store.write((tx) => {
    for (const o of data.owners) tx.insert('owners', o);
    data.items.forEach((item, id) => {
      tx.insert('items', { id, ...item } as never);
    });
    for (const d of data.deletes)
      if (d < data.items.length && tx.get('items', d) !== null) tx.delete('items', d);
  });
  return store;
}
