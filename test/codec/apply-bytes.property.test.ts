/**
 * The writer worker's apply of update batches straight from their bytes (src/codec/apply-bytes.ts)
 * against decodeBatch + store.apply, the path it stands in for: random batches of updates on a
 * table keyed by a dictionary string and one keyed by an int32 id, with keys present and missing
 * (ASCII, not ASCII, a byte-order mark, the wrong type), values of every column kind, of the wrong
 * type, out of range, too long, null where null is refused, dictionary strings the domain holds and
 * new ones, codes too wide for an 8-bit column, struct values and a struct field named on its own,
 * key updates and unknown columns and tables, mixed with inserts, deletes, preconditions and
 * metadata, go to two identical stores, one each way. Each batch must give both the same outcome
 * (its version, or the StateError's code, message and details), and leave both stores alike: the
 * version, every row by position, every dictionary string by code, and the arena bytes in use (an
 * abandoned attempt leaves no block behind). When the bytes path gives a batch back, the store must
 * be exactly as it was. Batches of good updates must mostly take the bytes path, or the test would
 * quietly compare the old path with itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpdateBytes } from '../../src/codec/apply-bytes.js';
import {
  type Batch,
  bool,
  decodeBatch,
  dictionary,
  type Effect,
  encodeBatch,
  float64,
  int32,
  int64,
  type Key,
  list,
  type RowInput,
  StateError,
  Store,
  schema,
  struct,
  table,
  timestamp,
  utf8,
} from '../../src/index.js';
import { byteDamage } from '../support/damage.js';
import { CHURN } from '../support/model-run.js';

const SCHEMA = schema([
  table(
    'tasks',
    {
      id: dictionary('ids'),
      status: dictionary('status'),
      // Shares the key's domain, which holds more strings than its 8-bit codes can name.
      owner: dictionary('ids', { nullable: true, width: 8 }),
      priority: int32(),
      score: float64({ nullable: true }),
      ok: bool({ nullable: true }),
      at: timestamp({ nullable: true }),
      big: int64({ nullable: true }),
      note: utf8({ nullable: true }),
      tags: list(dictionary('status'), { nullable: true }),
      res: struct({ cpu: int32(), mem: float64({ nullable: true }) }),
    },
    { key: 'id' },
  ),
  table(
    'nodes',
    { id: int32(), name: dictionary('status', { nullable: true }), load: int32() },
    { key: 'id' },
  ),
]);
const OPTIONS = { ...CHURN, maxStringBytes: 64, recordEffects: true } as const;

const TASK_KEYS = [...Array.from({ length: 300 }, (_, i) => `t${i}`), 'tâche', '任务', 'bom', '\uFEFFbom2'];
const NODE_KEYS = Array.from({ length: 10 }, (_, i) => i);
const STATUSES = ['pending', 'running', 'done', 'ünï'];

function fresh(): Store {
  const store = Store.create(SCHEMA, OPTIONS);
  store.apply({
    effects: [
      ...TASK_KEYS.map((id, i) => ({
        op: 'insert' as const,
        table: 'tasks',
        row: { id, status: STATUSES[i % 4]!, priority: i, res: { cpu: i } },
      })),
      ...NODE_KEYS.map((id) => ({ op: 'insert' as const, table: 'nodes', row: { id, load: id } })),
    ],
  });
  return store;
}

/** A value for a column: mostly good ones (weight 8), the rest wrong in some way. */
const mostly = (a: fc.Arbitrary<unknown>, ...bad: unknown[]) =>
  bad.length === 0
    ? a
    : fc.oneof({ weight: 8, arbitrary: a }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const newString = fc.oneof(
  fc.nat(5).map((n) => `new-${n}`),
  fc.constantFrom('', 'ñew', '\uFEFFpending', 'x'.repeat(70), 'é'.repeat(30)),
);
const status = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...STATUSES) },
  { weight: 2, arbitrary: newString },
);
const taskValues: Record<string, fc.Arbitrary<unknown>> = {
  status: mostly(status, null, 5, true),
  owner: mostly(fc.constantFrom('t5', 't17', null, 'bom', 't280', 'zz'), 7),
  priority: mostly(fc.integer({ min: -5, max: 100 }), 2 ** 31, 1.5, 'x', null, -0),
  score: mostly(fc.oneof(fc.double(), fc.constant(null)), 'x'),
  ok: mostly(fc.oneof(fc.boolean(), fc.constant(null)), 1),
  at: mostly(fc.oneof(fc.integer(), fc.constant(null), fc.constant(new Date(5))), 1e16, 2.5),
  big: mostly(fc.oneof(fc.integer(), fc.constant(null)), 5n, 2 ** 60),
  note: mostly(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null)), 'y'.repeat(70), 3),
  tags: mostly(fc.oneof(fc.array(status, { maxLength: 2 }), fc.constant(null)), 'x'),
  res: mostly(
    fc.record(
      { cpu: fc.integer({ min: 0, max: 9 }), mem: fc.oneof(fc.double(), fc.constant(null)) },
      { requiredKeys: [] },
    ),
    null,
    5,
    { cpu: 1, gpu: 2 },
  ),
  'res.cpu': fc.integer({ min: 0, max: 9 }),
  id: fc.constant('t1'),
  nope: fc.constant(1),
};
const nodeValues: Record<string, fc.Arbitrary<unknown>> = {
  name: mostly(fc.oneof(status, fc.constant(null)), 4),
  load: mostly(fc.integer({ min: 0, max: 1000 }), null, 'x', 2 ** 40),
  id: fc.constant(3),
  status: fc.constant('pending'),
};
/** Some of the named columns (most often the two of the benchmark's updates), with values. */
const values = (cols: Record<string, fc.Arbitrary<unknown>>, common: string[]) =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.constant(common) },
      { weight: 2, arbitrary: fc.subarray(Object.keys(cols), { maxLength: 4 }) },
    )
    .chain(
      (names) => fc.record(Object.fromEntries(names.map((n) => [n, cols[n]!]))) as fc.Arbitrary<RowInput>,
    );

const taskKey: fc.Arbitrary<Key> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...TASK_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom<Key>('zz', '\uFEFFbom', 'task', 5, '') },
);
const nodeKey: fc.Arbitrary<Key> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...NODE_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom<Key>(10, -1, 2 ** 40, 1.5, 'a') },
);
const update: fc.Arbitrary<Effect> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('update' as const),
      table: fc.constant('tasks'),
      key: taskKey,
      values: values(taskValues, ['status', 'priority']),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('update' as const),
      table: fc.constant('nodes'),
      key: nodeKey,
      values: values(nodeValues, ['name', 'load']),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('update' as const),
      table: fc.constantFrom('ghost', 'Tasks'),
      key: taskKey,
      values: fc.constant({ status: 'done' }),
    }),
  },
);
const other: fc.Arbitrary<Effect> = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    table: fc.constant('nodes'),
    row: fc.record({ id: fc.integer({ min: 5, max: 20 }), load: fc.nat(9), name: status }),
  }),
  fc.record({ op: fc.constant('delete' as const), table: fc.constant('tasks'), key: taskKey }),
  fc.record({
    op: fc.constant('require' as const),
    table: fc.constant('nodes'),
    key: nodeKey,
    condition: fc.constant({ exists: true }),
  }),
  fc.record({ op: fc.constant('setMeta' as const), key: fc.constant('m'), value: fc.nat(3) }),
);
const batchArb: fc.Arbitrary<Batch> = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(update, { minLength: 1, maxLength: 6 }) },
    {
      weight: 1,
      arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: update }, { weight: 1, arbitrary: other }), {
        maxLength: 5,
      }),
    },
  )
  .map((effects) => ({ effects }));

/** The version a batch published, or its StateError. */
function outcome(run: () => number): unknown {
  try {
    return { version: run() };
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
}

/** Everything a store holds that a batch can change, and the arena bytes it keeps for it. */
function state(store: Store): unknown {
  const snap = store.snapshot();
  try {
    const rows: Record<string, unknown[]> = {};
    for (const t of ['tasks', 'nodes']) {
      rows[t] = Array.from({ length: snap.count(t) }, (_, i) => snap.getAt(t, i));
    }
    const domains: Record<string, string[]> = {};
    for (const d of ['ids', 'status']) {
      domains[d] = Array.from({ length: snap.domainSize(d) }, (_, c) => snap.stringOf(d, c));
    }
    return { version: store.version, meta: snap.meta(), rows, domains };
  } finally {
    snap.release();
  }
}

describe('apply-bytes: update batches applied from their bytes', () => {
  it('give the result, errors and state of decodeBatch + store.apply, and take most good batches', () => {
    let taken = 0;
    let succeeded = 0;
    let abandoned = 0;
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 5 }), (batches) => {
        const bytesWay = fresh();
        const oldWay = fresh();
        const updates = new UpdateBytes(bytesWay);
        try {
          for (const b of batches) {
            const bytes = encodeBatch(b);
            const before = state(bytesWay);
            const usedBefore = bytesWay.stats().usedBytes;
            let tookIt = false;
            const got = outcome(() => {
              const v = updates.apply(bytes);
              if (v >= 0) {
                tookIt = true;
                return v;
              }
              // Given back: nothing of the attempt may be left.
              if (b.effects.length > 0 && b.effects.every((e) => e.op === 'update')) abandoned++;
              expect(state(bytesWay)).toEqual(before);
              expect(bytesWay.stats().usedBytes).toBe(usedBefore);
              return bytesWay.apply(decodeBatch(bytes).batch, { record: false });
            });
            const want = outcome(() => oldWay.apply(decodeBatch(bytes).batch, { record: false }));
            expect(got).toEqual(want);
            expect(state(bytesWay)).toEqual(state(oldWay));
            expect(bytesWay.stats().usedBytes).toBe(oldWay.stats().usedBytes);
            if (tookIt) taken++;
            if ('version' in (want as object) && b.effects.every((e) => e.op === 'update')) succeeded++;
          }
        } finally {
          bytesWay.close();
          oldWay.close();
        }
      }),
      { numRuns: 300 },
    );
    // Only struct values and a few odd names are given back among updates that succeed.
    expect(taken).toBeGreaterThan(succeeded * 0.6);
    // And attempts given back after some updates were applied, which the abort must undo.
    expect(abandoned).toBeGreaterThan(50);
  });

  it('give damaged bytes the result or error of decodeBatch + store.apply, and change nothing else', () => {
    // Undamaged too, so that the bytes path is seen to apply batches between damaged ones.
    const damage = byteDamage(true);
    const bytesWay = fresh();
    const oldWay = fresh();
    const updates = new UpdateBytes(bytesWay);
    let taken = 0;
    try {
      fc.assert(
        fc.property(fc.array(update, { minLength: 1, maxLength: 4 }), damage, (effects, harm) => {
          const bytes = harm(encodeBatch({ effects }));
          const got = outcome(() => {
            const v = updates.apply(bytes);
            if (v >= 0) taken++;
            return v >= 0 ? v : bytesWay.apply(decodeBatch(bytes).batch, { record: false });
          });
          expect(got).toEqual(outcome(() => oldWay.apply(decodeBatch(bytes).batch, { record: false })));
          expect(state(bytesWay)).toEqual(state(oldWay));
        }),
        { numRuns: 600 },
      );
    } finally {
      bytesWay.close();
      oldWay.close();
    }
    expect(taken).toBeGreaterThan(20);
  });

  it('writes a column named twice only as decodeBatch reads it: once, with the last value', () => {
    // The encoder writes each name once: a second copy of "status" is made by renaming another.
    const bytes = encodeBatch({
      effects: [{ op: 'update', table: 'tasks', key: 't1', values: { status: 'new-1', statuz: 'done' } }],
    });
    const at = Buffer.from(bytes).indexOf('statuz');
    bytes[at + 5] = 's'.charCodeAt(0);
    expect(decodeBatch(bytes).batch.effects[0]).toMatchObject({ values: { status: 'done' } });
    const bytesWay = fresh();
    const oldWay = fresh();
    const v = new UpdateBytes(bytesWay).apply(bytes);
    if (v < 0) bytesWay.apply(decodeBatch(bytes).batch, { record: false });
    oldWay.apply(decodeBatch(bytes).batch, { record: false });
    expect(state(bytesWay)).toEqual(state(oldWay));
    bytesWay.close();
    oldWay.close();
  });

  it('leaves a batch with another effect, a marker or no effects to decodeBatch', () => {
    const store = fresh();
    const updates = new UpdateBytes(store);
    const up = { op: 'update' as const, table: 'tasks', key: 't1', values: { status: 'done' } };
    const version = store.version;
    for (const b of [
      { effects: [] },
      { effects: [], marker: 'compaction' as const },
      { effects: [up, { op: 'delete' as const, table: 'tasks', key: 't2' }] },
      { effects: [up, { op: 'setMeta' as const, key: 'm', value: 1 }] },
      { effects: [up, { op: 'update' as const, table: 'tasks', key: 't2', values: { big: 5n } }] },
    ] satisfies Batch[]) {
      expect(updates.apply(encodeBatch(b))).toBe(-1);
    }
    expect(updates.apply(new Uint8Array(16))).toBe(-1);
    expect(store.version).toBe(version);
    expect(updates.apply(encodeBatch({ effects: [up] }))).toBe(version + 1);
    store.close();
  });
});
