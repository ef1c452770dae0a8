import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { ConditionKind, Batch as FbBatch, MarkerKind } from '../../src/codec/generated/mutation_generated.js';
import {
  type Batch,
  batch,
  type Condition,
  decodeBatch,
  dictionary,
  encodeBatch,
  int32,
  StateError,
  Store,
  schema,
  table,
} from '../../src/index.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof StateError ? err.code : String(err);
  }
  return 'no error';
}

const roundTrip = (b: Batch, version = 0) => decodeBatch(encodeBatch(b, version));

describe('batch encoding of value conditions and commit feed fields', () => {
  it('keeps the numbers of condition kinds: the new ones are appended', () => {
    expect([ConditionKind.None, ConditionKind.Exists, ConditionKind.NotExists]).toEqual([0, 1, 2]);
    expect([ConditionKind.Equals, ConditionKind.In]).toEqual([3, 4]);
    expect([
      ConditionKind.NotEquals,
      ConditionKind.Less,
      ConditionKind.LessOrEqual,
      ConditionKind.Greater,
      ConditionKind.GreaterOrEqual,
    ]).toEqual([5, 6, 7, 8, 9]);
    expect([MarkerKind.None, MarkerKind.Compaction]).toEqual([0, 1]);
  });

  it('round-trips notEquals and the ordered conditions with every kind of value exactly', () => {
    const values = [
      0,
      -0,
      7,
      -1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2n ** 62n,
      -1n,
      '',
      '🚀\uFFFF',
      null,
    ];
    const conditions: Condition[] = [];
    for (const relation of ['notEquals', 'lt', 'lte', 'gt', 'gte']) {
      for (const v of values) conditions.push({ column: 'res.cpu', [relation]: v } as Condition);
    }
    conditions.push({ column: 'tags', notEquals: ['a', 'b'] });
    conditions.push({ column: 's', notEquals: { cpu: 1 } });
    const b = batch();
    for (const c of conditions) b.require('t', 'k', c);
    const { batch: back } = roundTrip(b.build());
    expect(back).toEqual(b.build());
    // toEqual tells -0 from 0 and NaN from a number; make the intent plain for one of each.
    const lt = back.effects.map((e) => (e.op === 'require' ? e.condition : null));
    expect(Object.is((lt[12] as { lt: number }).lt, -0)).toBe(true);
    expect(Number.isNaN((lt[15] as { lt: number }).lt)).toBe(true);
    expect((lt[18] as { lt: bigint }).lt).toBe(-1n);
  });

  it('writes a Date to compare with as its milliseconds', () => {
    const b = batch()
      .require('t', 1, { column: 'at', gte: new Date(1_700_000_000_123) })
      .build();
    expect(roundTrip(b).batch.effects[0]).toEqual({
      op: 'require',
      table: 't',
      key: 1,
      condition: { column: 'at', gte: 1_700_000_000_123 },
    });
    const invalid = batch()
      .require('t', 1, { column: 'at', gte: new Date(Number.NaN) })
      .build();
    expect(code(() => encodeBatch(invalid))).toBe('INVALID_BATCH');
  });

  it('round-trips producer, seq and marker exactly, and leaves absent ones absent', () => {
    const plain = roundTrip(batch().delete('t', 1).build(), 3).batch;
    expect(Object.keys(plain)).toEqual(['effects']);
    for (const fields of [
      { producer: 'client-7', seq: 0 },
      { producer: '', seq: Number.MAX_SAFE_INTEGER },
      { producer: 'ünïcödé 🚀' },
      { seq: 41 },
    ]) {
      const b = batch().delete('t', 1).build(fields);
      expect(b).toEqual({ effects: b.effects, ...fields });
      const { version, batch: back } = roundTrip(b, 9);
      expect(version).toBe(9);
      expect(back).toEqual(b);
      expect(Object.keys(back).sort()).toEqual(Object.keys(b).sort());
    }
    const marker: Batch = { effects: [], marker: 'compaction' };
    expect(roundTrip(marker, 77)).toEqual({ version: 77, batch: marker });
    const withOrigin: Batch = { effects: [], marker: 'compaction', producer: 'writer', seq: 5 };
    expect(roundTrip(withOrigin).batch).toEqual(withOrigin);
  });

  it('refuses a bad seq, producer or marker with INVALID_BATCH', () => {
    const effects = batch().delete('t', 1).build().effects;
    for (const bad of [
      { effects, seq: -1 },
      { effects, seq: 1.5 },
      { effects, seq: 2 ** 53 },
      { effects, seq: '1' },
      { effects, producer: 7 },
      { effects: [], marker: 'snapshot' },
      { effects, marker: 'compaction' },
    ]) {
      expect(
        code(() => encodeBatch(bad as unknown as Batch)),
        JSON.stringify(bad),
      ).toBe('INVALID_BATCH');
    }
    // A seq above 2^53 written by another language cannot be read as a number.
    const b = new flatbuffers.Builder(64);
    const vec = FbBatch.createEffectsVector(b, []);
    FbBatch.finishBatchBuffer(b, FbBatch.createBatch(b, 1n, vec, 0, 2n ** 53n + 1n, MarkerKind.None));
    expect(code(() => decodeBatch(b.asUint8Array()))).toBe('INVALID_BATCH');
  });

  it('applies a batch the same with or without producer and seq, and a marker batch as nothing', () => {
    const s = schema([table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' })]);
    const store = Store.create(s);
    store.write((tx) => tx.insert('nodes', { id: 'a', n: 1 }));
    const v = store.version;
    expect(store.apply(batch().increment('nodes', 'a', 'n', 1).build({ producer: 'p', seq: 3 }))).toBe(v + 1);
    expect(store.read((r) => r.get('nodes', 'a'))).toEqual({ id: 'a', n: 2 });
    store.apply({ effects: [], marker: 'compaction' });
    expect(store.version).toBe(v + 1);
    expect(code(() => store.apply({ effects: [], marker: 'other' } as unknown as Batch))).toBe(
      'INVALID_BATCH',
    );
    const withEffects = { ...batch().increment('nodes', 'a', 'n', 1).build(), marker: 'compaction' } as const;
    expect(code(() => store.apply(withEffects))).toBe('INVALID_BATCH');
    expect(store.read((r) => r.get('nodes', 'a'))).toEqual({ id: 'a', n: 2 });
    store.close();
  });
});
