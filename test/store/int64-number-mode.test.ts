import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Int64 } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batch,
  decodeBatch,
  dictionary,
  encodeBatch,
  int64,
  max,
  query,
  restoreCheckpoint,
  resultToArrow,
  runQuery,
  StateError,
  Store,
  schema,
  struct,
  sum,
  table,
  writeCheckpoint,
} from '../../src/index.js';

// int64({ mode: 'number' }): stored as int64 everywhere, read and written as safe-integer numbers.
const SCHEMA = schema([
  table(
    'files',
    {
      id: dictionary('file'),
      size: int64({ mode: 'number' }),
      spare: int64({ mode: 'number', nullable: true }),
      res: struct({ mem: int64({ mode: 'number' }) }),
      raw: int64({ nullable: true }),
    },
    { key: 'id' },
  ),
]);
const MAX = Number.MAX_SAFE_INTEGER;

function create(): Store {
  const store = Store.create(SCHEMA);
  store.write((tx) => {
    tx.insert('files', { id: 'a', size: 2 ** 40, spare: null, res: { mem: 256 }, raw: 5n });
    tx.insert('files', { id: 'b', size: MAX, spare: -MAX, res: { mem: 2n ** 33n }, raw: 2n ** 60n });
  });
  return store;
}

function codeOf(f: () => unknown): StateError {
  try {
    f();
  } catch (e) {
    return e as StateError;
  }
  throw new Error('no error');
}

let dir = '';
afterEach(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe("int64({ mode: 'number' })", () => {
  it('reads numbers (a bigint within range is accepted) while plain int64 reads bigints', () => {
    const store = create();
    store.read((s) => {
      expect(s.get('files', 'a')).toEqual({
        id: 'a',
        size: 2 ** 40,
        spare: null,
        res: { mem: 256 },
        raw: 5n,
      });
      expect(s.get('files', 'b')).toEqual({
        id: 'b',
        size: MAX,
        spare: -MAX,
        res: { mem: 2 ** 33 },
        raw: 2n ** 60n,
      });
      expect(typeof s.getAt('files', 0)!.size).toBe('number');
      expect((s.get('files', 'a')!.size as number) / 2 ** 30).toBe(1024);
    });
  });

  it('is Int64 with BigInt64Array values in Arrow views', () => {
    const store = create();
    store.read((s) => {
      const t = s.table('files');
      expect(t.schema.fields.find((f) => f.name === 'size')!.type).toBeInstanceOf(Int64);
      const chunk = [...s.chunks('files', 'size')][0]!;
      expect(chunk.values).toBeInstanceOf(BigInt64Array);
      expect(Array.from(chunk.values as BigInt64Array).slice(0, 2)).toEqual([2n ** 40n, BigInt(MAX)]);
    });
  });

  it('refuses values beyond ±(2^53 - 1) with OUT_OF_RANGE naming table and column, changing nothing', () => {
    const store = create();
    const v = store.version;
    for (const value of [MAX + 1, -MAX - 1, 2n ** 53n, -(2n ** 53n), 2n ** 62n]) {
      const e = codeOf(() => store.write((tx) => tx.update('files', 'a', { size: value })));
      expect(e).toBeInstanceOf(StateError);
      expect(e.code).toBe('OUT_OF_RANGE');
      expect(e.details).toMatchObject({ table: 'files', column: 'size' });
    }
    const e = codeOf(() => store.write((tx) => tx.update('files', 'a', { res: { mem: 2 ** 60 } })));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.details).toMatchObject({ table: 'files', column: 'res.mem' });
    expect(codeOf(() => store.write((tx) => tx.update('files', 'a', { size: 1.5 }))).code).toBe(
      'TYPE_MISMATCH',
    );
    expect(codeOf(() => store.write((tx) => tx.update('files', 'a', { size: '1' }))).code).toBe(
      'TYPE_MISMATCH',
    );
    // The edges themselves are accepted.
    store.write((tx) => tx.update('files', 'a', { size: -MAX, spare: BigInt(MAX) }));
    expect(store.version).toBe(v + 1);
    store.read((s) => expect(s.get('files', 'a')).toMatchObject({ size: -MAX, spare: MAX }));
  });

  it('increments by numbers and bigints, refusing a sum past the edge', () => {
    const store = create();
    store.apply(batch().increment('files', 'a', 'size', 1024).increment('files', 'a', 'res.mem', 4n).build());
    store.read((s) => expect(s.get('files', 'a')).toMatchObject({ size: 2 ** 40 + 1024, res: { mem: 260 } }));
    const e = codeOf(() => store.apply(batch().increment('files', 'b', 'size', 1).build()));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.details).toMatchObject({ table: 'files', column: 'size' });
    expect(
      codeOf(() =>
        store.apply(
          batch()
            .increment('files', 'b', 'size', 2n ** 60n)
            .build(),
        ),
      ).code,
    ).toBe('OUT_OF_RANGE');
    store.apply(batch().increment('files', 'b', 'size', -MAX).build());
    store.read((s) => expect(s.get('files', 'b')!.size).toBe(0));
  });

  it('compares numbers and bigints in preconditions', () => {
    const store = create();
    const ok = batch()
      .require('files', 'a', { column: 'size', equals: 2 ** 40 })
      .require('files', 'a', { column: 'size', equals: 2n ** 40n })
      .require('files', 'b', { column: 'size', gte: BigInt(MAX) })
      .require('files', 'b', { column: 'size', lt: 2n ** 60n })
      .require('files', 'a', { column: 'res.mem', lte: 256 })
      .update('files', 'a', { spare: 1 })
      .build();
    store.apply(ok);
    const e = codeOf(() =>
      store.apply(
        batch()
          .require('files', 'a', { column: 'size', gt: 2 ** 40 })
          .build(),
      ),
    );
    expect(e.code).toBe('PRECONDITION_FAILED');
  });

  it('goes through the batch codec as numbers', () => {
    const store = create();
    const b = batch()
      .update('files', 'a', { size: 7, res: { mem: 2n ** 50n } })
      .increment('files', 'b', 'size', -1)
      .build();
    store.apply(decodeBatch(encodeBatch(b, 1)).batch);
    store.read((s) => {
      expect(s.get('files', 'a')).toMatchObject({ size: 7, res: { mem: 2 ** 50 } });
      expect(s.get('files', 'b')!.size).toBe(MAX - 1);
    });
  });

  it('sums, maxes and group keys stay exact bigints; selected cells read numbers', () => {
    const store = create();
    store.read((s) => {
      const agg = runQuery(
        s,
        query('files')
          .aggregate({ total: sum('size'), top: max('size') })
          .build(),
      );
      expect(agg.rows).toEqual([{ total: 2n ** 40n + BigInt(MAX), top: BigInt(MAX) }]);
      const rows = runQuery(s, query('files').select('id', 'size', 'res.mem').build());
      expect(rows.rows).toEqual([
        { id: 'a', size: 2 ** 40, res: { mem: 256 } },
        { id: 'b', size: MAX, res: { mem: 2 ** 33 } },
      ]);
      const t = resultToArrow(rows);
      expect(t.getChild('size')!.type).toBeInstanceOf(Int64);
      expect(t.getChild('size')!.get(1)).toBe(BigInt(MAX));
    });
  });

  it('round-trips through a checkpoint, and loads refuse unsafe values', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acs-i64n-'));
    const store = create();
    const snap = store.snapshot();
    writeCheckpoint(dir, snap, { format: 'feather' });
    snap.release();
    const restored = restoreCheckpoint(dir, SCHEMA)!;
    restored.store.read((s) => {
      expect(s.get('files', 'b')).toEqual({
        id: 'b',
        size: MAX,
        spare: -MAX,
        res: { mem: 2 ** 33 },
        raw: 2n ** 60n,
      });
    });
    // The same folder read with plain int64 (bigint) columns: the storage is the same.
    const asBigint = schema([
      table(
        'files',
        {
          id: dictionary('file'),
          size: int64(),
          spare: int64({ nullable: true }),
          res: struct({ mem: int64() }),
          raw: int64({ mode: 'number', nullable: true }),
        },
        { key: 'id' },
      ),
    ]);
    // raw holds 2^60, which a 'number' column cannot read: the load fails with OUT_OF_RANGE.
    expect(() => restoreCheckpoint(dir, asBigint)).toThrow(/raw/);
  });

  it('is refused on other types', () => {
    const bad = { type: 'int32', nullable: false, mode: 'number' } as const;
    expect(() => table('t', { x: bad })).toThrow(StateError);
  });
});
