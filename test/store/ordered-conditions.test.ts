import { describe, expect, it } from 'vitest';
import {
  type Batch,
  batch,
  bool,
  type Condition,
  dictionary,
  float64,
  int32,
  int64,
  list,
  type Snapshot,
  StateError,
  Store,
  schema,
  struct,
  table,
  timestamp,
  utf8,
} from '../../src/index.js';

const SCHEMA = schema([
  table(
    'nodes',
    {
      id: dictionary('node'),
      slots: int32({ nullable: true }),
      bytes: int64(),
      load: float64({ nullable: true }),
      seen: timestamp({ nullable: true }),
      name: utf8({ nullable: true }),
      zone: dictionary('zone', { nullable: true }),
      up: bool(),
      caps: list(dictionary('cap')),
      res: struct({ cpu: int32(), mem: int64({ nullable: true }) }),
    },
    { key: 'id' },
  ),
]);

/** n1 has values, n2 nulls wherever a column takes them; zone "b" gets code 0, "a" code 1. */
function create(): Store {
  const store = Store.create(SCHEMA);
  store.write((tx) => {
    tx.insert('nodes', {
      id: 'n1',
      slots: 4,
      bytes: 2n ** 60n,
      load: Number.NaN,
      seen: 1000,
      name: '\u{1F680}',
      zone: 'b',
      up: true,
      caps: ['gpu'],
      res: { cpu: 8, mem: null },
    });
    tx.insert('nodes', {
      id: 'n2',
      slots: null,
      bytes: 0n,
      load: null,
      seen: null,
      name: null,
      zone: null,
      up: false,
      caps: [],
      res: { cpu: 0, mem: 5n },
    });
    tx.insert('nodes', {
      id: 'n3',
      slots: 0,
      bytes: -1n,
      load: 0.5,
      seen: new Date(-5),
      name: '\uFFFF',
      zone: 'a',
      up: true,
      caps: [],
      res: { cpu: 1, mem: 0n },
    });
  });
  return store;
}

/** Whether `condition` holds on row `key`: the batch applies, or fails with PRECONDITION_FAILED. */
function holds(store: Store, key: string, condition: Condition): boolean {
  try {
    store.apply(batch().require('nodes', key, condition).build());
    return true;
  } catch (err) {
    if (err instanceof StateError && err.code === 'PRECONDITION_FAILED') return false;
    throw err;
  }
}

/** The outcome of every relation against `value`, as a string of + (holds) and - (fails). */
function relations(store: Store, key: string, column: string, value: unknown): string {
  const out = (['lt', 'lte', 'gt', 'gte'] as const).map((r) =>
    holds(store, key, { column, [r]: value } as Condition) ? '+' : '-',
  );
  return `lt${out[0]} lte${out[1]} gt${out[2]} gte${out[3]}`;
}

function rows(s: Snapshot) {
  return {
    version: s.version,
    rows: Array.from({ length: s.count('nodes') }, (_, i) => s.getAt('nodes', i)),
  };
}

function failure(fn: () => unknown): StateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StateError) return err;
    throw err;
  }
  throw new Error('expected a StateError');
}

describe('ordered and notEquals preconditions', () => {
  const store = create();

  it('compare int columns numerically, fractions included', () => {
    expect(relations(store, 'n1', 'slots', 4)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n1', 'slots', 5)).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n1', 'slots', 3.5)).toBe('lt- lte- gt+ gte+');
    expect(relations(store, 'n3', 'slots', -0)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n1', 'slots', Number.POSITIVE_INFINITY)).toBe('lt+ lte+ gt- gte-');
  });

  it('compare int64 exactly, a bigint or a safe-integer number alike', () => {
    expect(relations(store, 'n1', 'bytes', 2n ** 60n)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n1', 'bytes', 2n ** 60n + 1n)).toBe('lt+ lte+ gt- gte-');
    // 2^60 - 1 is no double: only a bigint says it, and the comparison is exact.
    expect(relations(store, 'n1', 'bytes', 2n ** 60n - 1n)).toBe('lt- lte- gt+ gte+');
    expect(relations(store, 'n1', 'bytes', Number.MAX_SAFE_INTEGER)).toBe('lt- lte- gt+ gte+');
    expect(relations(store, 'n2', 'bytes', 0)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n3', 'bytes', 0)).toBe('lt+ lte+ gt- gte-');
    expect(holds(store, 'n2', { column: 'bytes', notEquals: 0 })).toBe(false);
    expect(holds(store, 'n2', { column: 'bytes', notEquals: 1 })).toBe(true);
  });

  it('never hold for a NaN float cell; order other floats', () => {
    for (const v of [0, 1e300, Number.NEGATIVE_INFINITY]) {
      expect(relations(store, 'n1', 'load', v)).toBe('lt- lte- gt- gte-');
    }
    expect(relations(store, 'n3', 'load', 0.5)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n3', 'load', 0.25)).toBe('lt- lte- gt+ gte+');
    // notEquals is the negation of equals, which finds NaN equal to NaN (Object.is).
    expect(holds(store, 'n1', { column: 'load', notEquals: Number.NaN })).toBe(false);
    expect(holds(store, 'n1', { column: 'load', notEquals: 0 })).toBe(true);
  });

  it('compare timestamps as milliseconds, given as a number or a Date', () => {
    expect(relations(store, 'n1', 'seen', 1000)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n1', 'seen', new Date(1001))).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n3', 'seen', new Date(0))).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n3', 'seen', -6)).toBe('lt- lte- gt+ gte+');
  });

  it('compare utf8 in code point order: a character above U+FFFF sorts after U+FFFF', () => {
    // In UTF-16 "\u{1F680}" starts with 0xD83D, below 0xFFFF; in code points it is above.
    expect(relations(store, 'n1', 'name', '\uFFFF')).toBe('lt- lte- gt+ gte+');
    expect(relations(store, 'n3', 'name', '\u{1F680}')).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n3', 'name', '\uFFFF')).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n3', 'name', '\uFFFF\u0000')).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n3', 'name', '')).toBe('lt- lte- gt+ gte+');
  });

  it('compare dictionary cells by their strings, not their codes', () => {
    // "b" has code 0 and "a" code 1: by code n3's zone would be the greater.
    expect(relations(store, 'n3', 'zone', 'b')).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n1', 'zone', 'a')).toBe('lt- lte- gt+ gte+');
    expect(relations(store, 'n1', 'zone', 'b')).toBe('lt- lte+ gt- gte+');
    // A string the domain does not hold compares too.
    expect(relations(store, 'n1', 'zone', 'ab')).toBe('lt- lte- gt+ gte+');
    expect(holds(store, 'n1', { column: 'zone', notEquals: 'b' })).toBe(false);
    expect(holds(store, 'n1', { column: 'zone', notEquals: 'zz' })).toBe(true);
  });

  it('compare a struct field named "struct.field"', () => {
    expect(relations(store, 'n1', 'res.cpu', 8)).toBe('lt- lte+ gt- gte+');
    expect(relations(store, 'n2', 'res.mem', 6)).toBe('lt+ lte+ gt- gte-');
    expect(relations(store, 'n1', 'res.mem', 0n)).toBe('lt- lte- gt- gte-');
    expect(holds(store, 'n1', { column: 'res.mem', notEquals: null })).toBe(false);
  });

  it('never hold for a null cell, while notEquals holds for every non-null value', () => {
    for (const [column, value] of [
      ['slots', 0],
      ['load', 0],
      ['seen', 0],
      ['name', ''],
      ['zone', ''],
    ] as const) {
      expect(relations(store, 'n2', column, value), column).toBe('lt- lte- gt- gte-');
      expect(holds(store, 'n2', { column, notEquals: value }), column).toBe(true);
      expect(holds(store, 'n2', { column, notEquals: null }), column).toBe(false);
    }
    expect(holds(store, 'n1', { column: 'up', notEquals: false })).toBe(true);
    expect(holds(store, 'n1', { column: 'caps', notEquals: ['gpu'] })).toBe(false);
  });

  it('refuse a comparison against null, NaN or a value of the wrong kind, and of bool, list or whole struct columns', () => {
    const bad: [string, Condition][] = [
      ['slots', { column: 'slots', lt: null as unknown as number }],
      ['slots', { column: 'slots', gt: '4' }],
      ['slots', { column: 'slots', gte: 4n }],
      ['slots', { column: 'slots', lte: Number.NaN }],
      ['bytes', { column: 'bytes', lt: 1.5 }],
      ['bytes', { column: 'bytes', gt: 2 ** 60 }],
      ['bytes', { column: 'bytes', gt: '1' }],
      ['load', { column: 'load', lt: Number.NaN }],
      ['seen', { column: 'seen', lt: new Date(Number.NaN) }],
      ['seen', { column: 'seen', gte: '1970-01-01' }],
      ['name', { column: 'name', lt: 1 }],
      ['zone', { column: 'zone', gte: 0 }],
      ['up', { column: 'up', lt: true as unknown as number }],
      ['caps', { column: 'caps', gt: 'gpu' }],
      ['res', { column: 'res', lt: { cpu: 1 } as unknown as number }],
      ['res.cpu', { column: 'res.cpu', lt: null as unknown as number }],
    ];
    for (const [column, condition] of bad) {
      // On an existing row and a missing one alike: the batch is bad whatever the state.
      for (const key of ['n1', 'nope']) {
        const before = store.read(rows);
        const err = failure(() =>
          store.apply(
            batch()
              .update('nodes', 'n1', { slots: 99 })
              .require('nodes', key, condition)
              .insert('nodes', { id: 'n9', bytes: 0n, up: true, caps: [], res: { cpu: 0, mem: null } })
              .build(),
          ),
        );
        expect(err.code, err.message).toBe('INVALID_BATCH');
        expect(err.details).toMatchObject({ table: 'nodes', column, op: 1 });
        expect(store.read(rows)).toEqual(before);
      }
    }
    // Two relations in one condition are ambiguous.
    const err = failure(() =>
      store.apply(
        batch()
          .require('nodes', 'n1', { column: 'slots', lt: 9, gt: 0 } as Condition)
          .build(),
      ),
    );
    expect(err.code).toBe('INVALID_BATCH');
    expect(err.details).toMatchObject({ table: 'nodes', op: 0 });
  });

  it('fail the batch with PRECONDITION_FAILED and the actual value, applying nothing', () => {
    const before = store.read(rows);
    const err = failure(() =>
      store.apply(
        batch()
          .update('nodes', 'n1', { slots: 3 })
          .increment('nodes', 'n3', 'slots', 1)
          .require('nodes', 'n1', { column: 'bytes', lt: 2n ** 60n })
          .build(),
      ),
    );
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.details).toEqual({ table: 'nodes', key: 'n1', column: 'bytes', value: 2n ** 60n, op: 2 });
    expect(err.message).toContain('< 1152921504606846976n');
    expect(store.read(rows)).toEqual(before);

    const notEq = failure(() =>
      store.write((tx) => {
        tx.update('nodes', 'n3', { zone: 'b' });
        tx.require('nodes', 'n3', { column: 'zone', notEquals: 'b' });
      }),
    );
    expect(notEq.code).toBe('PRECONDITION_FAILED');
    expect(notEq.details).toMatchObject({ column: 'zone', value: 'b', op: 1 });
    expect(store.read(rows)).toEqual(before);
  });

  it('see the changes of earlier effects of the same batch, and record what they were given', () => {
    const v = store.version;
    store.apply(
      batch()
        .increment('nodes', 'n1', 'slots', -1)
        .require('nodes', 'n1', { column: 'slots', lt: 4 })
        .increment('nodes', 'n1', 'slots', 1)
        .build(),
    );
    expect(store.version).toBe(v + 1);
    let recorded: Batch | null = null;
    store.write((tx) => {
      tx.require('nodes', 'n1', { column: 'seen', gte: new Date(1000) });
      tx.require('nodes', 'n1', { column: 'zone', notEquals: 'a' });
      recorded = tx.batch;
    });
    expect((recorded as Batch | null)?.effects.map((e) => (e.op === 'require' ? e.condition : null))).toEqual(
      [
        { column: 'seen', gte: new Date(1000) },
        { column: 'zone', notEquals: 'a' },
      ],
    );
  });
});
