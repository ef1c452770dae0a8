/**
 * Every StateError code that the public API can raise: each test triggers one, checks the code, the
 * message (it names the table, column, key, row or value involved) and the details, and checks that
 * the store is exactly as it was before — version and every row of every table — and that it keeps
 * working: the next write succeeds.
 *
 * Write errors are raised after several successful operations of the same transaction (inserts
 * that open a new row group, an update, deletes), so "unchanged" also means that nothing of the
 * failing batch survives.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  batch,
  bool,
  type ColumnType,
  dictionary,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  list,
  type Row,
  StateError,
  type StateErrorCode,
  Store,
  type StoreOptions,
  schema,
  type TableSchema,
  type Transaction,
  table,
  timestamp,
  uint16,
  uint32,
  utf8,
} from '../../src/index.js';

const NODES = 'nodes';
const LOG = 'log';
const IDS = 'ids';

const SCHEMA = schema([
  table(
    NODES,
    {
      id: int32(),
      x: float64({ nullable: true }),
      n: int8(),
      u: uint32(),
      big: int64(),
      at: timestamp(),
      flag: bool(),
      label: uint16({ nullable: true }),
    },
    { key: 'id' },
  ),
  table(LOG, { seq: uint32(), v: float32() }),
  table(IDS, { k: uint32(), w: int16() }, { key: 'k' }),
]);

const node = (id: number, extra: Row = {}): Row => ({
  id,
  x: id * 1.5,
  n: (id % 100) - 50,
  u: id * 1000,
  big: BigInt(id) * 10n ** 15n,
  at: 1_700_000_000_000 + id,
  flag: id % 2 === 0,
  label: id % 3 === 0 ? null : id % 1000,
  ...extra,
});

/** Keys of the rows the store starts with. */
const SEED_KEYS = [1, 2, 3, 4, 5];

// --- helpers ----------------------------------------------------------------------------------

/** A value as a string that tells NaN, -0 and bigint apart, for deep comparison. */
function encode(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** The whole visible state: version and every row of every table, in position order. */
function dump(s: Store): { version: number; tables: Record<string, string[][]> } {
  return s.read((snap) => {
    const tables: Record<string, string[][]> = {};
    for (const t of s.schema.tables) {
      const rows: string[][] = [];
      for (let i = 0; i < snap.count(t.name); i++) {
        const row = snap.getAt(t.name, i);
        rows.push(t.columns.map((c) => `${c.name}=${encode(row[c.name])}`));
      }
      tables[t.name] = rows;
    }
    return { version: snap.version, tables };
  });
}

/** Runs `fn`, which must throw a StateError with `code` whose message holds every one of `parts`. */
function expectStateError(fn: () => unknown, code: StateErrorCode, ...parts: string[]): StateError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a StateError ${code}`).toBeInstanceOf(StateError);
  const err = thrown as StateError;
  expect(err.code, err.message).toBe(code);
  expect(err.name).toBe('StateError');
  for (const part of parts) expect(err.message).toContain(part);
  return err;
}

/** Successful operations that a failing operation follows inside the same transaction. */
function prelude(tx: Transaction): void {
  // Five rows on top of the seeded five: the table grows into a second row group of 8.
  for (let id = 100; id < 105; id++) tx.insert(NODES, node(id));
  tx.update(NODES, 1, { x: null, label: 7 });
  tx.delete(NODES, 2);
  tx.deleteAt(LOG, 0);
  tx.insert(LOG, { seq: 99, v: 0.5 });
  tx.insert(IDS, { k: 12_289, w: 1 }); // a key on the fourth locator page
}
/** Operations `prelude` performs: the index the next operation has in its transaction. */
const PRELUDE_OPS = 10;

let store: Store;

/**
 * `fn` runs as the rest of a write after `prelude`, and must fail with `code`; then the store must
 * hold exactly what it held before, and the next write must succeed.
 */
function expectWriteFails(
  fn: (tx: Transaction) => void,
  code: StateErrorCode,
  ...parts: string[]
): StateError {
  const before = dump(store);
  const used = store.stats().usedBytes;
  const nodes = before.tables[NODES]!.length;
  const err = expectStateError(
    () =>
      store.write((tx) => {
        prelude(tx);
        // The transaction sees its own changes before the failing operation.
        expect(tx.count(NODES)).toBe(nodes + 5 - 1);
        expect(tx.locate(NODES, 2)).toBe(-1);
        fn(tx);
      }),
    code,
    ...parts,
  );
  expect(dump(store)).toEqual(before);
  expect(store.stats().usedBytes, 'the failed write gave back every block it took').toBeLessThanOrEqual(used);
  expectStillWorks();
  return err;
}

/** The store accepts a write right after, and shows it. */
function expectStillWorks(): void {
  const before = store.version;
  const key = 1000 + before;
  const v = store.write((tx) => tx.insert(NODES, node(key)));
  expect(v).toBe(before + 1);
  store.read((snap) => {
    expect(snap.version).toBe(v);
    expect(snap.get(NODES, key)).toMatchObject({ id: key, u: key * 1000 });
  });
}

function createSeeded(options: StoreOptions = {}): Store {
  const s = Store.create(SCHEMA, { rowGroupSize: 8, segmentBytes: 65_536, debug: true, ...options });
  s.write((tx) => {
    for (const k of SEED_KEYS) tx.insert(NODES, node(k));
    tx.insert(LOG, { seq: 1, v: 1.25 });
    tx.insert(LOG, { seq: 2, v: -3 });
    tx.insert(IDS, { k: 0, w: -1 });
  });
  return s;
}

beforeEach(() => {
  store = createSeeded();
});

afterEach(() => {
  store.close();
});

// --- the codes --------------------------------------------------------------------------------

describe('UNKNOWN_TABLE', () => {
  it('rejects a write to a table the schema does not have', () => {
    const err = expectWriteFails(
      (tx) => tx.insert('edges', { id: 1 }),
      'UNKNOWN_TABLE',
      '"edges"',
      NODES,
      LOG,
    );
    expect(err.details.table).toBe('edges');
    expectWriteFails((tx) => tx.delete('edges', 1), 'UNKNOWN_TABLE', '"edges"');
    expectWriteFails((tx) => tx.count('Nodes'), 'UNKNOWN_TABLE', '"Nodes"');
  });

  it('rejects a read of a table the schema does not have', () => {
    store.read((snap) => {
      expectStateError(() => snap.count('edges'), 'UNKNOWN_TABLE', '"edges"');
      expectStateError(() => snap.get('edges', 1), 'UNKNOWN_TABLE', '"edges"');
      expectStateError(() => snap.getAt('edges', 0), 'UNKNOWN_TABLE', '"edges"');
      expectStateError(() => snap.table('edges'), 'UNKNOWN_TABLE', '"edges"');
      expectStateError(() => snap.chunks('edges', 'x'), 'UNKNOWN_TABLE', '"edges"');
    });
  });
});

describe('UNKNOWN_COLUMN', () => {
  it('rejects an insert or update that names a column the table does not have', () => {
    const err = expectWriteFails(
      (tx) => tx.insert(NODES, { ...node(50), colour: 3 }),
      'UNKNOWN_COLUMN',
      '"colour"',
      NODES,
    );
    expect(err.details).toMatchObject({ table: NODES, column: 'colour' });
    expectWriteFails((tx) => tx.update(NODES, 3, { x: 1, colour: 3 }), 'UNKNOWN_COLUMN', '"colour"', NODES);
    expectWriteFails((tx) => tx.updateAt(LOG, 0, { value: 3 }), 'UNKNOWN_COLUMN', '"value"', LOG);
  });

  it('rejects a read of a column the table does not have', () => {
    store.read((snap) => {
      expectStateError(() => snap.get(NODES, 1, ['x', 'colour']), 'UNKNOWN_COLUMN', '"colour"', NODES);
      expectStateError(() => snap.getAt(NODES, 0, ['colour']), 'UNKNOWN_COLUMN', '"colour"');
      expectStateError(() => snap.chunks(NODES, 'colour'), 'UNKNOWN_COLUMN', '"colour"');
    });
  });
});

describe('TYPE_MISMATCH', () => {
  const cases: [string, Row, string][] = [
    ['a string for float64', { x: 'abc' as unknown as number }, '"abc"'],
    ['a number for bool', { flag: 1 }, '1'],
    ['a fraction for int8', { n: 1.5 }, '1.5'],
    ['a bigint for uint32', { u: 5n }, '5n'],
    ['a fraction for int64', { big: 0.5 }, '0.5'],
    ['a string for int64', { big: '12' as unknown as number }, '"12"'],
    ['a fraction for timestamp', { at: 1.25 }, '1.25'],
    ['a bigint for timestamp', { at: 10n }, '10n'],
    ['NaN for an integer', { u: Number.NaN }, 'NaN'],
    ['Infinity for int64', { big: Number.POSITIVE_INFINITY }, 'Infinity'],
  ];

  it.each(cases)('rejects %s on insert', (_, bad, shown) => {
    const [column] = Object.keys(bad);
    const err = expectWriteFails(
      (tx) => tx.insert(NODES, node(60, bad)),
      'TYPE_MISMATCH',
      `${NODES}.${column}`,
      shown,
    );
    expect(err.details).toMatchObject({ table: NODES, column, op: PRELUDE_OPS });
    expect(Object.is(err.details.value, bad[column!])).toBe(true);
  });

  it.each(cases)('rejects %s on update by key, naming the key', (_, bad, shown) => {
    const [column] = Object.keys(bad);
    const err = expectWriteFails(
      (tx) => tx.update(NODES, 4, bad),
      'TYPE_MISMATCH',
      `${NODES}.${column}`,
      'key 4',
      shown,
    );
    expect(err.details).toMatchObject({ table: NODES, column, key: 4 });
  });

  it('rejects a wrong type on updateAt, naming the row', () => {
    const err = expectWriteFails(
      (tx) => tx.updateAt(LOG, 1, { v: true }),
      'TYPE_MISMATCH',
      `${LOG}.v`,
      'row 1',
      'true',
    );
    expect(err.details).toMatchObject({ table: LOG, column: 'v', row: 1, value: true });
  });

  it('rejects a non-integer key', () => {
    expectWriteFails(
      (tx) => tx.insert(NODES, { ...node(60), id: 2.5 }),
      'TYPE_MISMATCH',
      `${NODES}.id`,
      '2.5',
    );
  });
});

describe('OUT_OF_RANGE', () => {
  const cases: [string, Row, string][] = [
    ['int8 128', { n: 128 }, '128'],
    ['int8 -129', { n: -129 }, '-129'],
    ['uint32 -1', { u: -1 }, '-1'],
    ['uint32 2^32', { u: 2 ** 32 }, '4294967296'],
    ['uint16 65536', { label: 65_536 }, '65536'],
    ['int64 2^63 as bigint', { big: 2n ** 63n }, '9223372036854775808n'],
    ['int64 -2^63 - 1 as bigint', { big: -(2n ** 63n) - 1n }, '-9223372036854775809n'],
    ['int64 2^53 as a number (not a safe integer)', { big: 2 ** 53 }, '9007199254740992'],
    ['int64 -(2^53) as a number', { big: -(2 ** 53) }, '-9007199254740992'],
    ['timestamp past 8.64e15 ms', { at: 8.64e15 + 1 }, '8640000000000001'],
    ['timestamp before -8.64e15 ms', { at: -8.64e15 - 1 }, '-8640000000000001'],
  ];

  it.each(cases)('rejects %s on insert', (_, bad, shown) => {
    const [column] = Object.keys(bad);
    const err = expectWriteFails(
      (tx) => tx.insert(NODES, node(60, bad)),
      'OUT_OF_RANGE',
      `${NODES}.${column}`,
      shown,
    );
    expect(err.details).toMatchObject({ table: NODES, column, op: PRELUDE_OPS });
  });

  it.each(cases)('rejects %s on update by key', (_, bad, shown) => {
    const [column] = Object.keys(bad);
    expectWriteFails((tx) => tx.update(NODES, 3, bad), 'OUT_OF_RANGE', `${NODES}.${column}`, 'key 3', shown);
  });

  it('accepts the extremes themselves', () => {
    const row = node(61, {
      n: -128,
      u: 2 ** 32 - 1,
      label: 65_535,
      big: -(2n ** 63n),
      at: -8.64e15,
    });
    store.write((tx) => {
      tx.insert(NODES, row);
      tx.update(NODES, 61, { n: 127, big: Number.MIN_SAFE_INTEGER, at: 8.64e15 });
    });
    expect(store.read((snap) => snap.get(NODES, 61))).toEqual({
      ...row,
      n: 127,
      big: BigInt(Number.MIN_SAFE_INTEGER),
      at: 8.64e15,
    });
  });

  it('rejects a negative key, and a key past 2^31 - 1 in a uint32 key column', () => {
    const neg = expectWriteFails(
      (tx) => tx.insert(NODES, { ...node(60), id: -1 }),
      'OUT_OF_RANGE',
      `${NODES}.id`,
      '-1',
    );
    expect(neg.details).toMatchObject({ table: NODES, column: 'id', value: -1 });
    const big = expectWriteFails(
      (tx) => tx.insert(IDS, { k: 2 ** 31, w: 0 }),
      'OUT_OF_RANGE',
      `${IDS}.k`,
      '2147483648',
    );
    expect(big.details).toMatchObject({ table: IDS, column: 'k', value: 2 ** 31, op: PRELUDE_OPS });
  });
});

describe('NULL_NOT_ALLOWED', () => {
  it('rejects an insert that leaves out a non-nullable column', () => {
    const { n: _, ...row } = node(70);
    const err = expectWriteFails((tx) => tx.insert(NODES, row), 'NULL_NOT_ALLOWED', `${NODES}.n`);
    expect(err.details).toMatchObject({ table: NODES, column: 'n', op: PRELUDE_OPS });
  });

  it('rejects null in a non-nullable column on insert, update and updateAt', () => {
    expectWriteFails(
      (tx) => tx.insert(NODES, node(70, { flag: null })),
      'NULL_NOT_ALLOWED',
      `${NODES}.flag`,
      'null',
    );
    expectWriteFails((tx) => tx.update(NODES, 5, { big: null }), 'NULL_NOT_ALLOWED', `${NODES}.big`, 'key 5');
    expectWriteFails((tx) => tx.updateAt(LOG, 0, { seq: null }), 'NULL_NOT_ALLOWED', `${LOG}.seq`, 'row 0');
  });

  it('accepts null and a left-out value in nullable columns', () => {
    const { x: _, ...row } = node(71, { label: null });
    store.write((tx) => tx.insert(NODES, row));
    expect(store.read((snap) => snap.get(NODES, 71, ['x', 'label']))).toEqual({ x: null, label: null });
  });
});

describe('DUPLICATE_KEY', () => {
  it('rejects an insert of a key the table has', () => {
    const err = expectWriteFails((tx) => tx.insert(NODES, node(3)), 'DUPLICATE_KEY', NODES, 'key 3');
    expect(err.details).toMatchObject({ table: NODES, key: 3, op: PRELUDE_OPS });
  });

  it('rejects an insert of a key inserted earlier in the same transaction', () => {
    expectWriteFails((tx) => tx.insert(NODES, node(101)), 'DUPLICATE_KEY', NODES, 'key 101');
    expectWriteFails((tx) => tx.insert(IDS, { k: 12_289, w: 5 }), 'DUPLICATE_KEY', IDS, 'key 12289');
  });

  it('accepts a key again once its row is deleted', () => {
    store.write((tx) => {
      tx.delete(NODES, 3);
      tx.insert(NODES, node(3, { n: 33 }));
    });
    expect(store.read((snap) => snap.get(NODES, 3, ['n']))).toEqual({ n: 33 });
  });
});

describe('KEY_NOT_FOUND', () => {
  it('rejects an update or delete of a key the table does not have', () => {
    const err = expectWriteFails((tx) => tx.update(NODES, 99, { x: 1 }), 'KEY_NOT_FOUND', NODES, 'key 99');
    expect(err.details).toMatchObject({ table: NODES, key: 99, op: PRELUDE_OPS });
    expectWriteFails((tx) => tx.delete(NODES, 99), 'KEY_NOT_FOUND', NODES, 'key 99');
    expectWriteFails((tx) => tx.delete(IDS, 4096), 'KEY_NOT_FOUND', IDS, 'key 4096');
  });

  it('rejects a key deleted earlier in the same transaction', () => {
    expectWriteFails((tx) => tx.update(NODES, 2, { x: 1 }), 'KEY_NOT_FOUND', NODES, 'key 2');
    expectWriteFails((tx) => tx.delete(NODES, 2), 'KEY_NOT_FOUND', NODES, 'key 2');
  });

  it('rejects keys that cannot be keys', () => {
    for (const key of [-1, 1.5, Number.NaN, 2 ** 31, Number.POSITIVE_INFINITY]) {
      expectWriteFails((tx) => tx.update(NODES, key, { x: 1 }), 'KEY_NOT_FOUND', NODES, `key ${key}`);
    }
  });
});

describe('KEY_UPDATE', () => {
  it('rejects an update of the primary key, even to its own value', () => {
    const err = expectWriteFails((tx) => tx.update(NODES, 4, { x: 2, id: 40 }), 'KEY_UPDATE', `${NODES}.id`);
    expect(err.details).toMatchObject({ table: NODES, column: 'id', op: PRELUDE_OPS });
    expectWriteFails((tx) => tx.update(NODES, 4, { id: 4 }), 'KEY_UPDATE', `${NODES}.id`);
    expectWriteFails((tx) => tx.updateAt(IDS, 0, { k: 7 }), 'KEY_UPDATE', `${IDS}.k`);
  });
});

describe('ROW_OUT_OF_RANGE', () => {
  it('rejects updateAt, deleteAt and getAt past the rows of the transaction', () => {
    // After the prelude the log has 2 rows again: 0 and 1.
    const err = expectWriteFails((tx) => tx.updateAt(LOG, 2, { v: 1 }), 'ROW_OUT_OF_RANGE', LOG, 'row 2');
    expect(err.details).toMatchObject({ table: LOG, row: 2, op: PRELUDE_OPS });
    expectWriteFails((tx) => tx.deleteAt(LOG, -1), 'ROW_OUT_OF_RANGE', LOG, 'row -1');
    expectWriteFails((tx) => tx.deleteAt(LOG, 0.5), 'ROW_OUT_OF_RANGE', LOG, 'row 0.5');
    expectWriteFails((tx) => tx.getAt(NODES, 500), 'ROW_OUT_OF_RANGE', NODES, 'row 500');
  });

  it('rejects a snapshot getAt past its rows, naming its version', () => {
    store.read((snap) => {
      const err = expectStateError(
        () => snap.getAt(NODES, SEED_KEYS.length),
        'ROW_OUT_OF_RANGE',
        NODES,
        `row ${SEED_KEYS.length}`,
        `version ${snap.version}`,
      );
      expect(err.details).toMatchObject({ table: NODES, row: SEED_KEYS.length });
      expectStateError(() => snap.getAt(NODES, -1), 'ROW_OUT_OF_RANGE', 'row -1');
    });
  });
});

describe('MISSING_KEY', () => {
  it('rejects addressing rows by key in a table without a primary key', () => {
    const err = expectWriteFails((tx) => tx.delete(LOG, 1), 'MISSING_KEY', `table ${LOG}`);
    expect(err.details.table).toBe(LOG);
    expectWriteFails((tx) => tx.update(LOG, 0, { v: 1 }), 'MISSING_KEY', `table ${LOG}`);
    expectWriteFails((tx) => tx.locate(LOG, 0), 'MISSING_KEY', `table ${LOG}`);
    store.read((snap) => {
      expectStateError(() => snap.get(LOG, 0), 'MISSING_KEY', `table ${LOG}`);
      expectStateError(() => snap.locate(LOG, 0), 'MISSING_KEY', `table ${LOG}`);
    });
  });
});

describe('NESTED_WRITE', () => {
  it('rejects a write inside a write callback; the outer write then fails whole', () => {
    expectWriteFails(
      () => store.write((tx) => tx.insert(LOG, { seq: 5, v: 5 })),
      'NESTED_WRITE',
      'store.write()',
    );
  });

  it('lets the outer write commit when its callback catches the error', () => {
    const before = store.version;
    let inner: unknown;
    const v = store.write((tx) => {
      tx.insert(LOG, { seq: 6, v: 6 });
      try {
        store.write((tx2) => tx2.insert(LOG, { seq: 7, v: 7 }));
      } catch (err) {
        inner = err;
      }
    });
    expect((inner as StateError).code).toBe('NESTED_WRITE');
    expect(v).toBe(before + 1);
    store.read((snap) => {
      expect(snap.count(LOG)).toBe(3);
      expect(snap.getAt(LOG, 2)).toEqual({ seq: 6, v: 6 });
    });
    expectStillWorks();
  });
});

describe('STORE_CLOSED', () => {
  it('rejects a write, a snapshot, a handle and a reclaim after close', () => {
    const snap = store.snapshot();
    const before = dump(store);
    store.close();
    expectStateError(() => store.write((tx) => tx.insert(LOG, { seq: 9, v: 9 })), 'STORE_CLOSED', 'closed');
    expectStateError(() => store.snapshot(), 'STORE_CLOSED');
    expectStateError(() => store.read((s) => s.count(LOG)), 'STORE_CLOSED');
    expectStateError(() => store.handle(), 'STORE_CLOSED');
    expectStateError(() => store.reclaim(), 'STORE_CLOSED');
    expect(store.writable).toBe(false);
    expect(store.version).toBe(before.version);
    snap.release();
    store.close(); // idempotent
  });

  it('rejects a transaction used after its write callback returned', () => {
    let escaped: Transaction | undefined;
    store.write((tx) => {
      escaped = tx;
      tx.insert(LOG, { seq: 10, v: 10 });
    });
    const before = dump(store);
    expectStateError(() => escaped!.insert(LOG, { seq: 11, v: 11 }), 'STORE_CLOSED', 'transaction has ended');
    expectStateError(() => escaped!.count(LOG), 'STORE_CLOSED');
    expect(dump(store)).toEqual(before);
    expectStillWorks();
  });

  it('rejects an attach to a closed store', async () => {
    const handle = store.handle();
    store.close();
    await expect(Store.attach(handle)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});

describe('SNAPSHOT_RELEASED', () => {
  it('rejects every read of a released snapshot, naming its version', () => {
    const snap = store.snapshot();
    expect(snap.count(NODES)).toBe(SEED_KEYS.length);
    snap.release();
    expect(snap.released).toBe(true);
    const err = expectStateError(() => snap.count(NODES), 'SNAPSHOT_RELEASED', `version ${snap.version}`);
    expect(err.message).toContain('released');
    expectStateError(() => snap.get(NODES, 1), 'SNAPSHOT_RELEASED');
    expectStateError(() => snap.getAt(NODES, 0), 'SNAPSHOT_RELEASED');
    expectStateError(() => snap.locate(NODES, 1), 'SNAPSHOT_RELEASED');
    expectStateError(() => snap.table(NODES), 'SNAPSHOT_RELEASED');
    expectStateError(() => snap.chunks(NODES, 'x'), 'SNAPSHOT_RELEASED');
    expectStateError(() => snap.changedAt(NODES), 'SNAPSHOT_RELEASED');
    expectStateError(() => snap.committedAt, 'SNAPSHOT_RELEASED');
    snap.release(); // idempotent
    expectStillWorks();
  });
});

describe('INVALID_SCHEMA', () => {
  const ok = { id: int32() };
  const cases: [string, () => unknown, string][] = [
    ['a table name that is not an identifier', () => table('my-table', ok), '"my-table"'],
    ['an empty table name', () => table('', ok), '""'],
    ['a column name that is not an identifier', () => table('t', { '1st': int32() }), '"1st"'],
    [
      'a column without a valid type',
      () => table('t', { a: { type: 'string', nullable: false } as unknown as ColumnType }),
      't.a',
    ],
    ['a column given no type object', () => table('t', { a: null as unknown as ColumnType }), 't.a'],
    ['a table without columns', () => table('empty', {}), 'empty'],
    ['a key that is not a column', () => table('t', ok, { key: 'uid' }), 'uid'],
    ['a nullable key', () => table('t', { id: int32({ nullable: true }) }, { key: 'id' }), 't.id'],
    ['an int64 key', () => table('t', { id: int64() }, { key: 'id' }), 'int64'],
    ['a float key', () => table('t', { id: float64() }, { key: 'id' }), 'float64'],
    ['a bool key', () => table('t', { id: bool() }, { key: 'id' }), 'bool'],
    ['a timestamp key', () => table('t', { id: timestamp() }, { key: 'id' }), 'timestamp'],
    [
      'a table defined twice',
      () => schema([table('a', ok), table('b', ok), table('a', { z: int8() })]),
      'table a',
    ],
    ['a schema without tables', () => schema([] as TableSchema[]), 'at least one table'],
  ];

  it.each(cases)('rejects %s', (_, define, shown) => {
    expectStateError(define, 'INVALID_SCHEMA', shown);
  });

  it('names the table and column in the details', () => {
    const err = expectStateError(
      () => table('t', { id: int32({ nullable: true }) }, { key: 'id' }),
      'INVALID_SCHEMA',
    );
    expect(err.details).toMatchObject({ table: 't', column: 'id' });
    expect(expectStateError(() => table('t', { 'a b': int8() }), 'INVALID_SCHEMA').details).toMatchObject({
      table: 't',
      column: 'a b',
    });
  });

  it('accepts every integer type of at most 32 bits as a key', () => {
    for (const type of [int8(), int16(), int32(), uint32(), uint16()]) {
      expect(table('t', { id: type }, { key: 'id' }).key).toBe('id');
    }
  });
});

describe('INVALID_OPTION', () => {
  const cases: [string, StoreOptions, string][] = [
    ['a rowGroupSize that is not a power of two', { rowGroupSize: 100 }, 'rowGroupSize'],
    ['a rowGroupSize below 8', { rowGroupSize: 4 }, 'rowGroupSize'],
    ['a rowGroupSize above 2^24', { rowGroupSize: 2 ** 25 }, 'rowGroupSize'],
    ['a fractional rowGroupSize', { rowGroupSize: 8.5 }, 'rowGroupSize'],
    ['a segmentBytes below 4096', { segmentBytes: 1024 }, 'segmentBytes'],
    ['a segmentBytes that is not a multiple of 64', { segmentBytes: 4096 + 32 }, 'segmentBytes'],
    ['a maxBytes below segmentBytes', { segmentBytes: 65_536, maxBytes: 65_535 }, 'maxBytes'],
    ['zero readerSlots', { readerSlots: 0 }, 'readerSlots'],
    ['zero reclaimInterval', { reclaimInterval: 0 }, 'reclaimInterval'],
  ];

  it.each(cases)('rejects %s', (_, options, shown) => {
    expectStateError(() => Store.create(SCHEMA, options), 'INVALID_OPTION', shown);
  });

  it('names the rejected value', () => {
    expectStateError(
      () => Store.create(SCHEMA, { rowGroupSize: 100 }),
      'INVALID_OPTION',
      'rowGroupSize',
      '100',
    );
  });
});

describe('attachment roles, handles and limits', () => {
  it('READ_ONLY: an attached reader cannot write', async () => {
    const reader = await Store.attach(store.handle());
    try {
      expect(reader.writable).toBe(false);
      const before = dump(store);
      expectStateError(() => reader.write((tx) => tx.insert(LOG, { seq: 1, v: 1 })), 'READ_ONLY', 'reader');
      expect(dump(store)).toEqual(before);
      expect(reader.read((snap) => snap.count(NODES))).toBe(SEED_KEYS.length);
    } finally {
      reader.close();
    }
    expectStillWorks();
  });

  it('WRITER_LEASE_HELD: a second writer is refused while the owner is open', async () => {
    await expect(Store.attach(store.handle(), { writer: true })).rejects.toMatchObject({
      code: 'WRITER_LEASE_HELD',
    });
    expectStillWorks();
  });

  it('INVALID_HANDLE: attach refuses something that is not a handle', async () => {
    await expect(Store.attach({} as never)).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
    await expect(Store.attach(null as never)).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
    const forged = { ...store.handle(), control: new SharedArrayBuffer(1024) };
    await expect(Store.attach(forged)).rejects.toMatchObject({ code: 'INVALID_HANDLE' });
  });

  it('SLOTS_FULL: a pin of a new version is refused when every reader slot is taken', () => {
    store.close();
    store = createSeeded({ readerSlots: 1 });
    const held = store.snapshot();
    const again = store.snapshot(); // the same version shares the thread's slot
    store.write((tx) => tx.insert(LOG, { seq: 3, v: 3 }));
    // The message names the oldest pin, which is what holds the slots.
    expectStateError(() => store.snapshot(), 'SLOTS_FULL', '1 reader slots', `version ${held.version}`);
    expect(held.count(LOG)).toBe(2);
    again.release();
    expectStateError(() => store.read((s) => s.count(LOG)), 'SLOTS_FULL');
    held.release();
    expect(store.read((s) => s.count(LOG))).toBe(3);
    expectStillWorks();
  });

  it('ARENA_FULL: a write that needs more than maxBytes fails whole, and the store goes on', () => {
    store.close();
    const small = Store.create(schema([table(LOG, { seq: uint32(), v: float32() })]), {
      rowGroupSize: 8,
      segmentBytes: 4096,
      maxBytes: 8192,
    });
    try {
      let err: unknown = null;
      let before = dump(small);
      for (let seq = 0; seq < 10_000 && err === null; seq++) {
        before = dump(small);
        try {
          small.write((tx) => tx.insert(LOG, { seq, v: seq }));
        } catch (e) {
          err = e;
        }
      }
      expect(err).toBeInstanceOf(StateError);
      expect((err as StateError).code).toBe('ARENA_FULL');
      expect((err as StateError).message).toContain('8192');
      expect(dump(small)).toEqual(before);
      expect(small.stats().arenaBytes).toBeLessThanOrEqual(8192);
      // Deleting rows still works, and so does the next insert.
      const count = small.read((s) => s.count(LOG));
      small.write((tx) => tx.deleteAt(LOG, count - 1));
      small.write((tx) => tx.insert(LOG, { seq: 1, v: 1 }));
      expect(small.read((s) => s.count(LOG))).toBe(count);
    } finally {
      small.close();
    }
    store = createSeeded();
  });
});

describe('a failed write in the middle of a batch', () => {
  it('leaves none of the batch, whatever the failing operation', () => {
    const failing: [StateErrorCode, (tx: Transaction) => void][] = [
      ['DUPLICATE_KEY', (tx) => tx.insert(NODES, node(5))],
      ['KEY_NOT_FOUND', (tx) => tx.delete(NODES, 77)],
      ['ROW_OUT_OF_RANGE', (tx) => tx.deleteAt(NODES, 100)],
      ['OUT_OF_RANGE', (tx) => tx.update(NODES, 100, { n: 1000 })],
      ['NULL_NOT_ALLOWED', (tx) => tx.updateAt(NODES, 0, { at: null })],
      ['TYPE_MISMATCH', (tx) => tx.insert(LOG, { seq: 1, v: '1' as unknown as number })],
      ['UNKNOWN_COLUMN', (tx) => tx.update(NODES, 100, { nope: 1 })],
      ['UNKNOWN_TABLE', (tx) => tx.insert('nope', {})],
      ['KEY_UPDATE', (tx) => tx.update(NODES, 100, { id: 1 })],
      ['MISSING_KEY', (tx) => tx.delete(LOG, 0)],
    ];
    for (const [code, op] of failing) expectWriteFails(op, code);
  });

  it('leaves nothing when the callback throws an error of its own', () => {
    const before = dump(store);
    expect(() =>
      store.write((tx) => {
        prelude(tx);
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(dump(store)).toEqual(before);
    expectStillWorks();
  });

  it('keeps the rows of a batch whose callback caught the error of one operation', () => {
    // An operation that fails changes nothing, so a callback that catches its error may go on.
    const v = store.write((tx) => {
      tx.insert(NODES, node(200));
      expect(() => tx.insert(NODES, node(200, { n: 1 }))).toThrow(StateError);
      expect(() => tx.insert(NODES, node(201, { n: 1000 }))).toThrow(StateError);
      tx.insert(NODES, node(202));
    });
    store.read((snap) => {
      expect(snap.version).toBe(v);
      expect(snap.count(NODES)).toBe(SEED_KEYS.length + 2);
      expect(snap.get(NODES, 200)).toEqual(node(200));
      expect(snap.get(NODES, 201)).toBeNull();
      expect(snap.get(NODES, 202)).not.toBeNull();
    });
  });
});

describe('PRECONDITION_FAILED', () => {
  it('a row required to exist, or not to, or to hold a value, fails the whole batch', () => {
    expectWriteFails(
      (tx) => tx.require(NODES, 77, { exists: true }),
      'PRECONDITION_FAILED',
      'nodes',
      'key 77',
    );
    expectWriteFails((tx) => tx.require(NODES, 1, { exists: false }), 'PRECONDITION_FAILED', 'not to exist');
    const err = expectWriteFails(
      (tx) => tx.require(NODES, 3, { column: 'n', equals: 99 }),
      'PRECONDITION_FAILED',
      'nodes row with key 3',
      'n to be 99',
    );
    expect(err.details).toMatchObject({ table: NODES, key: 3, column: 'n' });
    expectWriteFails(
      (tx) => tx.require(NODES, 3, { column: 'n', in: [98, 99] }),
      'PRECONDITION_FAILED',
      'one of 98, 99',
    );
    // The same through a built batch.
    const before = dump(store);
    expectStateError(
      () => store.apply(batch().update(NODES, 1, { n: 5 }).require(NODES, 77, { exists: true }).build()),
      'PRECONDITION_FAILED',
    );
    expect(dump(store)).toEqual(before);
  });
});

describe('INVALID_BATCH', () => {
  it('a batch with an effect of no known op changes nothing', () => {
    const before = dump(store);
    expectStateError(
      () =>
        store.apply({
          effects: [{ op: 'update', table: NODES, key: 1, values: { n: 1 } }, { op: 'explode' }],
        } as never),
      'INVALID_BATCH',
      'effect 1',
    );
    expect(dump(store)).toEqual(before);
    expectStillWorks();
  });
});

describe('BATCH_TOO_LARGE', () => {
  it('a transaction may hold maxBatchOps operations, not one more', () => {
    store.close();
    store = createSeeded({ maxBatchOps: PRELUDE_OPS + 2 });
    expectWriteFails(
      (tx) => {
        tx.update(NODES, 1, { n: 1 });
        tx.update(NODES, 1, { n: 2 });
        tx.update(NODES, 1, { n: 3 });
      },
      'BATCH_TOO_LARGE',
      `${PRELUDE_OPS + 2} operations`,
    );
  });
});

describe('STRING_TOO_LONG', () => {
  it('a string over maxStringBytes is refused whole, whatever its column', () => {
    const s = Store.create(
      schema([
        table('docs', { id: dictionary('doc'), body: utf8(), tags: list(dictionary('tag')) }, { key: 'id' }),
      ]),
      { maxStringBytes: 16 },
    );
    try {
      s.write((tx) => tx.insert('docs', { id: 'a', body: 'ok', tags: [] }));
      const version = s.version;
      for (const attempt of [
        () => s.write((tx) => tx.insert('docs', { id: 'b'.repeat(17), body: '', tags: [] })),
        () => s.write((tx) => tx.update('docs', 'a', { body: 'é'.repeat(9) })),
        () => s.write((tx) => tx.update('docs', 'a', { tags: ['fine', 'x'.repeat(20)] })),
      ]) {
        const err = expectStateError(attempt, 'STRING_TOO_LONG', 'over the limit of 16');
        expect(err.details.table).toBe('docs');
      }
      expect(s.version).toBe(version);
      expect(s.read((r) => r.get('docs', 'a'))).toEqual({ id: 'a', body: 'ok', tags: [] });
    } finally {
      s.close();
    }
  });
});
