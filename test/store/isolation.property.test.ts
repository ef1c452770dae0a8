/**
 * Model-based property test of snapshot isolation.
 *
 * A random sequence of write batches, snapshot pins and releases runs against a store and against a
 * plain model of the table (rows in position order, with the documented "the last row fills the
 * hole" delete). After every step the newest version must equal the model, and every snapshot still
 * held must equal the copy of the model taken when it was pinned, row by row and position by
 * position. A batch with an invalid operation must throw a StateError and change nothing.
 *
 * The store runs with CHURN options (test/support/model-run.ts): copy-on-write, segment growth and
 * reclamation happen often, and a block freed while a snapshot can still see it reads as garbage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bool,
  float64,
  int16,
  int32,
  int64,
  type Row,
  type Snapshot,
  type StateErrorCode,
  schema,
  table,
  timestamp,
  uint8,
} from '../../src/index.js';
import {
  CHURN,
  checkModel,
  commandsArb,
  Reach,
  runModel,
  type SnapshotCmd,
  type Step,
  writeSteps,
} from '../support/model-run.js';

const T = 't';
const SCHEMA = schema([
  table(
    T,
    {
      id: int32(),
      x: float64({ nullable: true }),
      flag: bool(),
      big: int64(),
      at: timestamp({ nullable: true }),
      small: uint8(),
      mid: int16(),
      n: int32(),
    },
    { key: 'id' },
  ),
]);
const COLUMNS = ['id', 'x', 'flag', 'big', 'at', 'small', 'mid', 'n'] as const;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const TS_LIMIT = 8.64e15;

/** Keys rows may have: a dense block on the first locator page, and a few on later pages. */
const KEYS: readonly number[] = [...Array.from({ length: 64 }, (_, i) => i), 4095, 4096, 12_288, 12_289];
/** Keys that no run ever inserts (or that are not keys at all): get() must return null for them. */
const NEVER_KEYS: readonly number[] = [64, 4094, 8192, 1_000_000, 2 ** 31 - 1, -1, 1.5, Number.NaN];

/** A row as the model holds it: int64 as bigint, exactly as the store reads it back. */
interface ModelRow {
  readonly id: number;
  readonly x: number | null;
  readonly flag: boolean;
  readonly big: bigint;
  readonly at: number | null;
  readonly small: number;
  readonly mid: number;
  readonly n: number;
}

/** The non-key columns as a write gives them: int64 may be a bigint or a safe-integer number. */
interface Values {
  x: number | null;
  flag: boolean;
  big: bigint | number;
  at: number | null;
  small: number;
  mid: number;
  n: number;
}

// --- arbitraries ------------------------------------------------------------------------------

const xArb = fc.oneof(
  fc.constant(null),
  fc.constantFrom(
    Number.NaN,
    -0,
    0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
  ),
  fc.double(),
);
const bigArb: fc.Arbitrary<bigint | number> = fc.oneof(
  fc.constantFrom(I64_MIN, I64_MAX, 0n, -1n, 1n),
  fc.bigInt({ min: I64_MIN, max: I64_MAX }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -0),
  fc.maxSafeInteger(),
);
const atArb = fc.oneof(
  fc.constant(null),
  fc.constantFrom(-TS_LIMIT, TS_LIMIT, 0, -1, 1),
  fc.integer({ min: -TS_LIMIT, max: TS_LIMIT }),
);
const smallArb = fc.oneof(fc.constantFrom(0, 255), fc.integer({ min: 0, max: 255 }));
const midArb = fc.oneof(fc.constantFrom(-32_768, 32_767, 0, -1), fc.integer({ min: -32_768, max: 32_767 }));
const nArb = fc.oneof(fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0, -1), fc.integer());

const valuesArb: fc.Arbitrary<Values> = fc.record({
  x: xArb,
  flag: fc.boolean(),
  big: bigArb,
  at: atArb,
  small: smallArb,
  mid: midArb,
  n: nArb,
});
/** Some of the non-key columns (possibly none). */
const partialValuesArb: fc.Arbitrary<Partial<Values>> = fc.record(
  { x: xArb, flag: fc.boolean(), big: bigArb, at: atArb, small: smallArb, mid: midArb, n: nArb },
  { requiredKeys: [] },
);
const keyArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 63 }) },
  { weight: 1, arbitrary: fc.constantFrom(4095, 4096, 12_288, 12_289) },
);
const selArb = fc.nat({ max: 1_000 });
/** Mostly true: valid operations should dominate, or few batches would commit. */
const mostlyArb = fc.oneof(
  { weight: 15, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);

type Op =
  | { kind: 'insert'; fresh: boolean; key: number; values: Values }
  | { kind: 'update'; existing: boolean; key: number; values: Partial<Values> }
  | { kind: 'updateAt'; inRange: boolean; sel: number; values: Partial<Values> }
  | { kind: 'delete'; existing: boolean; key: number }
  | { kind: 'deleteAt'; inRange: boolean; sel: number }
  | { kind: 'badInsert'; key: number; values: Values };

type BatchCmd = { kind: 'batch'; ops: Op[] };

/** Bad inserts are rare (about one batch in a dozen carries one): valid batches must dominate. */
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 24,
    arbitrary: fc.record({ kind: fc.constant('insert'), fresh: mostlyArb, key: keyArb, values: valuesArb }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('update'),
      existing: mostlyArb,
      key: keyArb,
      values: partialValuesArb,
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('updateAt'),
      inRange: mostlyArb,
      sel: selArb,
      values: partialValuesArb,
    }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('delete'), existing: mostlyArb, key: keyArb }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deleteAt'), inRange: mostlyArb, sel: selArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('badInsert'), key: keyArb, values: valuesArb }) },
);

const batchArb: fc.Arbitrary<BatchCmd> = fc.record({
  kind: fc.constant('batch' as const),
  ops: fc.array(opArb, { minLength: 1, maxLength: 10 }),
});
const cmdsArb = commandsArb(batchArb, 8, selArb, 120);

// --- the model --------------------------------------------------------------------------------

/** The table as a list of rows in position order, with an index from key to position. */
class Model {
  readonly rows: ModelRow[];
  readonly #pos: Map<number, number>;

  constructor(rows: readonly ModelRow[] = []) {
    this.rows = [...rows];
    this.#pos = new Map(this.rows.map((r, i) => [r.id, i]));
  }

  clone(): Model {
    return new Model(this.rows);
  }

  has(key: number): boolean {
    return this.#pos.has(key);
  }

  insert(row: ModelRow): void {
    this.#pos.set(row.id, this.rows.length);
    this.rows.push(row);
  }

  updateAt(pos: number, values: Partial<Values>): void {
    this.rows[pos] = { ...this.rows[pos]!, ...normalize(values) };
  }

  positionOf(key: number): number {
    return this.#pos.get(key)!;
  }

  /** The documented delete: the table's last row moves into the deleted row's position. */
  deleteAt(pos: number): void {
    const gone = this.rows[pos]!;
    this.#pos.delete(gone.id);
    const last = this.rows.pop()!;
    if (pos < this.rows.length) {
      this.rows[pos] = last;
      this.#pos.set(last.id, pos);
    }
  }
}

function normalize(values: Partial<Values>): Partial<ModelRow> {
  const out: Record<string, unknown> = { ...values };
  if (values.big !== undefined) out.big = BigInt(values.big);
  return out as Partial<ModelRow>;
}

function modelRow(id: number, values: Values): ModelRow {
  return { id, ...normalize(values) } as ModelRow;
}

/** Resolves a batch against a copy of the model: the operations to run, up to the first invalid one. */
function resolveBatch(model: Model, ops: readonly Op[]): { after: Model; steps: Step[] } {
  const m = model.clone();
  const steps: Step[] = [];
  const push = (run: Step['run'], error: StateErrorCode | null, writes = true) => {
    steps.push({ run, error, writes, countAfter: m.rows.length });
    return error === null;
  };
  for (const op of ops) {
    const n = m.rows.length;
    let ok: boolean;
    switch (op.kind) {
      case 'insert': {
        let key = op.key;
        if (op.fresh) {
          const start = KEYS.indexOf(key);
          const free = [...KEYS.slice(start), ...KEYS.slice(0, start)].find((k) => !m.has(k));
          if (free !== undefined) key = free;
        }
        const values = op.values;
        if (m.has(key)) {
          ok = push((tx) => tx.insert(T, { id: key, ...values }), 'DUPLICATE_KEY');
        } else {
          m.insert(modelRow(key, values));
          ok = push((tx) => tx.insert(T, { id: key, ...values }), null);
        }
        break;
      }
      case 'badInsert': {
        // A fresh-or-not key with an out-of-range value: values are checked before the key.
        const values = { ...op.values, small: 256 };
        ok = push((tx) => tx.insert(T, { id: op.key, ...values }), 'OUT_OF_RANGE');
        break;
      }
      case 'update': {
        const key = op.existing && n > 0 ? m.rows[op.key % n]!.id : op.key;
        const values = op.values;
        if (m.has(key)) {
          m.updateAt(m.positionOf(key), values);
          ok = push((tx) => tx.update(T, key, values), null, Object.keys(values).length > 0);
        } else {
          ok = push((tx) => tx.update(T, key, values), 'KEY_NOT_FOUND');
        }
        break;
      }
      case 'delete': {
        const key = op.existing && n > 0 ? m.rows[op.key % n]!.id : op.key;
        if (m.has(key)) {
          m.deleteAt(m.positionOf(key));
          ok = push((tx) => tx.delete(T, key), null);
        } else {
          ok = push((tx) => tx.delete(T, key), 'KEY_NOT_FOUND');
        }
        break;
      }
      case 'updateAt':
      case 'deleteAt': {
        const pos = op.inRange && n > 0 ? op.sel % n : [n, n + 1, -1, 0.5][op.sel % 4]!;
        const valid = Number.isInteger(pos) && pos >= 0 && pos < n;
        if (op.kind === 'updateAt') {
          const values = op.values;
          if (valid) m.updateAt(pos, values);
          ok = push(
            (tx) => tx.updateAt(T, pos, values),
            valid ? null : 'ROW_OUT_OF_RANGE',
            Object.keys(values).length > 0,
          );
        } else {
          if (valid) m.deleteAt(pos);
          ok = push((tx) => tx.deleteAt(T, pos), valid ? null : 'ROW_OUT_OF_RANGE');
        }
        break;
      }
    }
    if (!ok) break;
  }
  return { after: m, steps };
}

// --- comparison -------------------------------------------------------------------------------

/** Describes the first difference between a row read from the store and the model, or null. */
function rowDiff(actual: Row | null, expected: ModelRow): string | null {
  if (actual === null) return `row ${expected.id} is missing`;
  const names = Object.keys(actual).sort();
  if (names.join() !== [...COLUMNS].sort().join()) return `row ${expected.id} has columns ${names.join()}`;
  for (const c of COLUMNS) {
    const a = actual[c];
    const e = expected[c];
    if (!Object.is(a, e)) return `row ${expected.id}: ${c} is ${String(a)}, expected ${String(e)}`;
  }
  return null;
}

/**
 * Checks that `snap` shows exactly `rows`: the count, every row by position and by key, every key's
 * position, and no row for keys outside `rows` (`extraKeys` are keys that exist in some other
 * version).
 */
function expectSnapshotEquals(
  snap: Snapshot,
  rows: readonly ModelRow[],
  extraKeys: Iterable<number>,
  label: string,
): void {
  // Plain comparisons, with expect.fail on the first difference: thousands of checks per run.
  const fail = (what: string) => expect.fail(`${label}: ${what}`);
  const count = snap.count(T);
  if (count !== rows.length) fail(`count is ${count}, expected ${rows.length}`);
  for (let i = 0; i < rows.length; i++) {
    const expected = rows[i]!;
    const diffAt = rowDiff(snap.getAt(T, i), expected);
    if (diffAt !== null) fail(`getAt(${i}): ${diffAt}`);
    const diffKey = rowDiff(snap.get(T, expected.id), expected);
    if (diffKey !== null) fail(`get(${expected.id}): ${diffKey}`);
    const pos = snap.locate(T, expected.id);
    if (pos !== i) fail(`locate(${expected.id}) is ${pos}, expected ${i}`);
  }
  const present = new Set(rows.map((r) => r.id));
  for (const key of extraKeys) {
    if (present.has(key)) continue;
    const row = snap.get(T, key);
    if (row !== null) fail(`get(${key}) of an absent key returned ${JSON.stringify(row, jsonBig)}`);
    const pos = snap.locate(T, key);
    if (pos !== -1) fail(`locate(${key}) of an absent key returned ${pos}`);
  }
}

const jsonBig = (_: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

// --- the property -----------------------------------------------------------------------------

const reach = new Reach();

function runCommands(cmds: readonly (BatchCmd | SnapshotCmd)[]): void {
  /** Every key that some version had: snapshots must not show the ones they do not have. */
  const everKeys = new Set<number>();
  const absentKeys = () => [...NEVER_KEYS, ...everKeys];
  runModel(cmds, reach, SCHEMA, CHURN, new Model(), (store) => ({
    batch(cmd, model, version) {
      const { after, steps } = resolveBatch(model, cmd.ops);
      const v = writeSteps(store, reach, T, steps, version);
      if (steps.at(-1)!.error !== null) return { model, version };
      for (const r of after.rows) everKeys.add(r.id);
      return { model: after, version: v };
    },
    check: (snap, model, label) => expectSnapshotEquals(snap, model.rows, absentKeys(), label),
    checkNewest(snap, model) {
      if (model.rows.length === 0) return;
      // A read of some columns returns exactly those.
      expect(Object.keys(snap.get(T, model.rows[0]!.id, ['big', 'x'])!).sort()).toEqual(['big', 'x']);
    },
    hold: () => undefined,
    rows: (model) => model.rows.length,
  }));
}

describe('snapshot isolation (model-based)', () => {
  it('every snapshot keeps showing its version while random batches commit, fail and get reclaimed', () => {
    checkModel(cmdsArb, runCommands, 100);
    reach.expectReached({
      runs: 100,
      commits: 500,
      failed: ['DUPLICATE_KEY', 'KEY_NOT_FOUND', 'OUT_OF_RANGE', 'ROW_OUT_OF_RANGE'],
      maxHeld: 3,
      heldAcrossCommits: 100,
    });
  });
});
