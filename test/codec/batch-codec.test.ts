import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { Batch as FbBatch } from '../../src/codec/generated/mutation_generated.js';
import {
  type Batch,
  batch,
  decodeBatch,
  dictionary,
  encodeBatch,
  float64,
  int32,
  int64,
  list,
  type StateError,
  Store,
  schema,
  struct,
  table,
  timestamp,
  utf8,
  type Value,
} from '../../src/index.js';

const VALUES = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 60,
  0.5,
  -1e-300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  '',
  'plain',
  'ünïcödé 漢字 🚀',
  'x'.repeat(5000),
  [],
  ['a', '', 'ü'],
  { cpu: 4, mem: 2n ** 40n, note: null, tags: ['x'] },
] as Value[];

describe('batch encoding (FlatBuffers)', () => {
  it('round-trips every op, every value kind and the version exactly', () => {
    const b = batch()
      .insert('t', Object.fromEntries(VALUES.map((v, i) => [`c${i}`, v])))
      .upsert('t', { id: 'k', when: new Date(1_700_000_000_123), skipped: undefined })
      .update('t', 'k', { a: 1, b: 'two' })
      .update('t', 7, { a: -0 })
      .updateAt('t', 0, { a: null })
      .delete('t', 'gone')
      .deleteAt('t', 3)
      .increment('t', 'k', 'n', 5)
      .increment('t', 'k', 'big', -7n)
      .increment('t', 'k', 'f', 0.25)
      .listAdd('t', 'k', 'tags', 'gpu')
      .listRemove('t', 'k', 'tags', '')
      .require('t', 'k', { exists: true })
      .require('t', 9, { exists: false })
      .require('t', 'k', { column: 's.x', equals: 'pending' })
      .require('t', 'k', { column: 'n', in: [1, 2n, null, 'x', -0] })
      .build();
    const bytes = encodeBatch(b, 12345);
    const { version, batch: back } = decodeBatch(bytes);
    expect(version).toBe(12345);
    // A Date is written as its milliseconds, and an undefined value ("not given") is left out.
    const expected = structuredClone(b) as unknown as { effects: Record<string, unknown>[] };
    expected.effects[1] = { op: 'upsert', table: 't', row: { id: 'k', when: 1_700_000_000_123 } };
    expect(back).toEqual(expected);
    // toEqual tells -0 from 0 and NaN from nothing, but make the intent plain.
    const row = (back.effects[0] as { row: Record<string, unknown> }).row;
    expect(Object.is(row.c4, -0)).toBe(true);
    expect(Number.isNaN(row.c12)).toBe(true);
  });

  it('reproduces a store when recorded batches go through bytes and are applied to an identical one', () => {
    const s = schema([
      table(
        'nodes',
        {
          id: dictionary('node'),
          n: int32(),
          big: int64(),
          f: float64({ nullable: true }),
          at: timestamp(),
          note: utf8({ nullable: true }),
          caps: list(dictionary('cap')),
          res: struct({ cpu: int32(), mem: int64() }),
        },
        { key: 'id' },
      ),
    ]);
    const a = Store.create(s, { rowGroupSize: 8 });
    const b = Store.create(s, { rowGroupSize: 8 });
    const log: Uint8Array[] = [];
    for (let round = 0; round < 40; round++) {
      let recorded: Batch | null = null;
      const version = a.write((tx) => {
        const id = `n${round % 12}`;
        if (tx.get('nodes', id) === null) {
          tx.insert('nodes', {
            id,
            n: round,
            big: BigInt(round) << 40n,
            f: round % 3 ? round / 7 : null,
            at: new Date(1_700_000_000_000 + round),
            note: round % 2 ? `note ${round} ✓` : null,
            caps: [`c${round % 5}`],
            res: { cpu: round, mem: 1024n * BigInt(round) },
          });
        } else {
          tx.increment('nodes', id, 'n', 1);
          tx.update('nodes', id, { res: { cpu: -round }, f: -0 });
          tx.listAdd('nodes', id, 'caps', `c${round % 7}`);
          if (round % 5 === 0) tx.delete('nodes', `n${(round + 3) % 12}`);
        }
        tx.require('nodes', id, { exists: true });
        recorded = tx.batch;
      });
      log.push(encodeBatch(recorded!, version));
    }
    for (const bytes of log) {
      const { version, batch: x } = decodeBatch(bytes);
      expect(b.apply(x)).toBe(version);
    }
    const dump = (store: Store) =>
      store.read((r) => Array.from({ length: r.count('nodes') }, (_, i) => r.getAt('nodes', i)));
    expect(dump(b)).toEqual(dump(a));
    a.close();
    b.close();
  });

  it('refuses what it cannot encode or decode with INVALID_BATCH', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as StateError).code;
      }
      return 'no error';
    };
    expect(
      code(() =>
        encodeBatch(
          batch()
            .update('t', 1, { a: 2n ** 64n })
            .build(),
        ),
      ),
    ).toBe('INVALID_BATCH');
    expect(
      code(() =>
        encodeBatch(
          batch()
            .update('t', 1, { a: [1, 2] as never })
            .build(),
        ),
      ),
    ).toBe('INVALID_BATCH');
    expect(code(() => encodeBatch({ effects: [{ op: 'nope' }] } as never))).toBe('INVALID_BATCH');
    expect(code(() => decodeBatch(new Uint8Array([1, 2, 3])))).toBe('INVALID_BATCH');
    // (Damage inside a batch's bytes is the log's to catch, with a checksum per record: FlatBuffers
    // reads what the bytes say.)
  });

  it('refuses a vector length the bytes cannot hold, instead of reading past them until V8 gives up', () => {
    const bytes = encodeBatch(
      batch()
        .update('t', 1, { l: ['a'] })
        .build(),
    );
    const bb = new flatbuffers.ByteBuffer(bytes);
    const value = FbBatch.getRootAsBatch(bb).effects(0)!.columns(0)!.value()!;
    // Where the list's length is: 4 bytes before its first element.
    const length = bb.__vector(value.bb_pos + bb.__offset(value.bb_pos, 14)) - 4;
    new DataView(bytes.buffer).setInt32(length, 0x7fffffff, true);
    let error: unknown = null;
    try {
      decodeBatch(bytes);
    } catch (err) {
      error = err;
    }
    expect((error as StateError).code).toBe('INVALID_BATCH');
    expect((error as StateError).message).toMatch(/a damaged batch: a vector of 2147483647 entries/);
  });
});
