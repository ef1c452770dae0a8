import { describeValue, StateError } from '../../errors.js';
import { compareStrings, holds } from '../compare.js';
import { type Condition, sameValue } from '../effects.js';
import { columnLayout } from '../layout.js';
import { type Key, toCell, type Value } from '../values.js';
import { valueAt, writeCell } from './cells.js';
import type { TxCore, TxTable } from './core.js';
import { groupForWrite } from './directory.js';
import { positionOf, rowOfKey } from './locator.js';
import { nestValue, updateRow } from './rows.js';

/*
 * The effects that read a cell before they write it (increments, list changes) and preconditions,
 * inside a transaction. Each checks everything before it changes anything.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/**
 * An increment's TYPE_MISMATCH. A function of its own, not a closure made per increment: under tsx
 * (the tests, the benchmarks) a closure assigned to a name is named with Object.defineProperty
 * each time it is made.
 */
function mismatch(
  table: string,
  column: string,
  key: Key,
  by: number | bigint,
  op: number,
  why: string,
): StateError {
  return new StateError(
    'TYPE_MISMATCH',
    `${table}.${column} of the row with key ${describeValue(key)}: ${why}`,
    {
      table,
      column,
      key,
      value: by,
      op,
    },
  );
}

/** Adds `by` to a numeric column of the row with key `key`, checking the result's range. */
export function incrementCell(tx: TxCore, ts: TxTable, key: Key, column: string, by: number | bigint): void {
  const t = ts.layout;
  const col = columnLayout(t, column);
  const op = tx.ops;
  const pos = rowOfKey(tx, ts, key, op);
  if (col.kind !== 'fixed' || col.domain >= 0 || col.type === 'bool') {
    throw mismatch(t.name, column, key, by, op, `only numeric columns can be incremented, not ${col.type}`);
  }
  if (col.index === t.key) {
    throw new StateError('KEY_UPDATE', `${t.name}.${column} is the primary key; delete and insert instead`, {
      table: t.name,
      column,
      key,
      op,
    });
  }
  const value = valueAt(tx, ts, pos, col);
  if (value === null) throw mismatch(t.name, column, key, by, op, 'null cannot be incremented');
  let next: Value;
  if (typeof value === 'bigint') {
    if (typeof by !== 'bigint' && !Number.isSafeInteger(by)) {
      throw mismatch(
        t.name,
        column,
        key,
        by,
        op,
        `increment by a bigint or a safe integer, got ${describeValue(by)}`,
      );
    }
    next = value + BigInt(by);
  } else if (col.type === 'int64' && typeof by === 'bigint') {
    // mode 'number': a bigint amount within the safe range adds as a number; toCell checks the sum.
    next = by >= -MAX_SAFE && by <= MAX_SAFE ? (value as number) + Number(by) : BigInt(value as number) + by;
  } else {
    if (typeof by !== 'number')
      throw mismatch(t.name, column, key, by, op, `increment by a number, got ${describeValue(by)}`);
    next = (value as number) + by;
  }
  const cell = toCell(t, col, next, tx.site(key, pos, op), tx.limits.maxStringBytes);
  // One numeric cell: the update path without its per-column bookkeeping.
  tx.ops++;
  tx.begin();
  ts.dirty = true;
  const i = pos & ts.layout.groupMask;
  const gRef = groupForWrite(tx, ts, pos >>> ts.layout.groupShift);
  writeCell(tx, gRef, col, i, cell, i + 1);
  tx.end();
}

/** Adds `value` to (`add`) or removes every `value` from a list column of the row with key `key`. */
export function changeList(
  tx: TxCore,
  ts: TxTable,
  key: Key,
  column: string,
  value: string,
  add: boolean,
): void {
  const t = ts.layout;
  const col = columnLayout(t, column);
  const pos = rowOfKey(tx, ts, key, tx.ops);
  if (col.kind !== 'list' || typeof value !== 'string') {
    throw new StateError(
      'TYPE_MISMATCH',
      `${t.name}.${column}: list effects take a list column and a string, got ${col.type} and ${describeValue(value)}`,
      { table: t.name, column, key, value },
    );
  }
  const items = (valueAt(tx, ts, pos, col) ?? []) as string[];
  let next = items;
  if (add && !items.includes(value)) next = [...items, value];
  else if (!add && items.includes(value)) {
    next = [];
    for (const x of items) if (x !== value) next.push(x);
  }
  // Adding a present item or removing an absent one changes nothing, and writes nothing.
  if (next.length !== items.length) updateRow(tx, ts, key, pos, nestValue(col, next));
  else tx.ops++;
}

/** The relations of a value condition, each its own key of the condition object. */
const RELATIONS = ['equals', 'notEquals', 'in', 'lt', 'lte', 'gt', 'gte'] as const;
type Relation = (typeof RELATIONS)[number];
const ORDERED_SIGN: Partial<Record<Relation, string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * Checks a precondition against the transaction's state; throws PRECONDITION_FAILED, naming the
 * table, key, column, expected and actual values, when it does not hold, and INVALID_BATCH, before
 * looking at the row, for a condition that is malformed or compares values of different kinds.
 */
export function checkCondition(tx: TxCore, ts: TxTable, key: Key, condition: Condition): void {
  const t = ts.layout;
  const pos = positionOf(tx, ts, key);
  const relation = relationOf(condition);
  if (relation === null) {
    throw new StateError(
      'INVALID_BATCH',
      `a condition on ${t.name} is { exists: boolean } or { column, R: value } with exactly one relation R of ${RELATIONS.join(', ')} (in takes [values]), not ${describeValue(condition)}`,
      { table: t.name, key, op: tx.ops },
    );
  }
  if (relation === 'exists') {
    const exists = (condition as { exists: boolean }).exists;
    if (exists && pos < 0) throw failed(t.name, key, tx.ops, 'required to exist, but there is no such row');
    if (!exists && pos >= 0) throw failed(t.name, key, tx.ops, 'required not to exist, but it does');
    tx.ops++;
    return;
  }
  const c = condition as { column: string } & Record<Relation, unknown>;
  const name = c.column;
  const sign = ORDERED_SIGN[relation];
  // An ordered comparison is checked against the column's type before the row: a bad one is
  // refused whatever the state, even for a missing row.
  const operand = sign === undefined ? null : orderedOperand(tx, t, key, name, c[relation]);
  const col = columnLayout(t, name);
  if (pos < 0) throw failed(t.name, key, tx.ops, `required ${name} to match, but there is no such row`, name);
  const actual = valueAt(tx, ts, pos, col);
  let holds: boolean;
  if (operand !== null) {
    holds = compareOrdered(actual, operand, relation);
  } else if (relation === 'in') {
    const wanted = c.in as readonly Value[];
    holds = false;
    for (let i = 0; i < wanted.length && !holds; i++) holds = sameValue(actual, wanted[i]!);
  } else {
    holds = sameValue(actual, c[relation] as Value) === (relation === 'equals');
  }
  if (!holds) {
    // Described only when it fails: a condition that holds makes no strings.
    const v = c[relation];
    const expected =
      operand !== null
        ? `${sign} ${describeValue(v)}`
        : relation === 'in'
          ? `one of ${(v as readonly Value[]).map(describeValue).join(', ')}`
          : `${relation === 'equals' ? '' : 'not '}${describeValue(v)}`;
    throw failed(
      t.name,
      key,
      tx.ops,
      `required ${name} to be ${expected}, but it is ${describeValue(actual)}`,
      name,
      actual,
    );
  }
  tx.ops++;
}

/*
 * The errors below are functions of their own, not closures made per call: under tsx (the tests,
 * the benchmarks) a closure assigned to a name is named with Object.defineProperty each time it is
 * made, which cost an increment more than a quarter of its time there (the built package pays
 * little for a closure).
 */

/** A precondition's PRECONDITION_FAILED (the column and its value when one is named). */
function failed(
  table: string,
  key: Key,
  op: number,
  what: string,
  column?: string,
  value?: unknown,
): StateError {
  return new StateError('PRECONDITION_FAILED', `${table} row with key ${describeValue(key)}: ${what}`, {
    table,
    key,
    ...(column === undefined ? {} : { column, value }),
    op,
  });
}

/** The relation `c` names, or null when it is not a Condition (it may come from a batch made elsewhere). */
function relationOf(c: unknown): Relation | 'exists' | null {
  if (c === null || typeof c !== 'object') return null;
  const o = c as Record<string, unknown>;
  if ('exists' in o) return typeof o.exists === 'boolean' ? 'exists' : null;
  if (typeof o.column !== 'string') return null;
  let r: Relation | null = null;
  for (const name of RELATIONS) {
    if (!(name in o)) continue;
    if (r !== null) return null;
    r = name;
  }
  return r === null || (r === 'in' && !Array.isArray(o.in)) ? null : r;
}

/**
 * The value of an ordered comparison on `column`, in the form its cells are read (a bigint for
 * int64, milliseconds for timestamps); INVALID_BATCH when the column cannot be ordered or the value
 * is null or of another kind.
 */
function orderedOperand(
  tx: TxCore,
  t: TxTable['layout'],
  key: Key,
  column: string,
  value: unknown,
): number | bigint | string {
  const operand = orderedValue(t, column, value);
  if (operand instanceof Refusal) badOrdered(t.name, column, key, value, tx.ops, operand.why);
  return operand as number | bigint | string;
}

/** Why an ordered condition's value is refused (made only then). */
class Refusal {
  constructor(readonly why: string) {}
}

/** `orderedOperand`'s value, or why it is refused. */
function orderedValue(
  t: TxTable['layout'],
  column: string,
  value: unknown,
): number | bigint | string | Refusal {
  if (t.structs.has(column)) return new Refusal('compares a whole struct; name a field as "struct.field"');
  const col = columnLayout(t, column);
  if (col.kind === 'list')
    return new Refusal('compares a list column; only equals, notEquals and in take lists');
  if (col.type === 'bool')
    return new Refusal('compares a bool column; only equals, notEquals and in take bools');
  if (value === null) return new Refusal('compares against null; use equals or notEquals null');
  if (col.kind === 'utf8' || col.domain >= 0) {
    return typeof value === 'string' ? value : new Refusal(`takes a string for a ${col.type} column`);
  }
  if (col.type === 'int64') {
    // A column of mode 'number' reads numbers; every cell is safe, so the operand compares as one
    // (a bigint beyond the safe range compares exactly with a number too).
    if (col.asNumber) {
      if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
      return Number.isSafeInteger(value)
        ? (value as number)
        : new Refusal('takes a bigint or a safe integer');
    }
    if (typeof value === 'bigint') return value;
    return Number.isSafeInteger(value)
      ? BigInt(value as number)
      : new Refusal('takes a bigint or a safe integer');
  }
  if (col.type === 'timestamp') {
    const ms = value instanceof Date ? value.getTime() : value;
    return typeof ms === 'number' && !Number.isNaN(ms)
      ? ms
      : new Refusal('takes milliseconds (not NaN) or a valid Date');
  }
  // NaN is refused too: no cell is ever less, greater or equal to it.
  return typeof value === 'number' && !Number.isNaN(value)
    ? value
    : new Refusal(`takes a number (not NaN) for a ${col.type} column`);
}

/** Throws an ordered condition's INVALID_BATCH (see `failed` on why it is not a closure). */
function badOrdered(table: string, column: string, key: Key, value: unknown, op: number, why: string): never {
  throw new StateError(
    'INVALID_BATCH',
    `an ordered condition on ${table}.${column} ${why}, not ${describeValue(value)}`,
    { table, column, key, value, op },
  );
}

/** Whether `actual` (a cell) stands in `relation` to `operand`; false for a null or NaN cell. */
function compareOrdered(actual: Value, operand: number | bigint | string, relation: Relation): boolean {
  if (actual === null) return false;
  let c: number;
  if (typeof operand === 'string') c = compareStrings(actual as string, operand);
  else {
    const a = actual as number | bigint;
    // NaN is neither less, greater nor equal: every relation is false.
    c = a < operand ? -1 : a > operand ? 1 : a === operand ? 0 : Number.NaN;
  }
  return holds(relation, c);
}
