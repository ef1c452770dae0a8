import { describeValue, StateError } from '../../errors.js';
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

/** Adds `by` to a numeric column of the row with key `key`, checking the result's range. */
export function incrementCell(tx: TxCore, ts: TxTable, key: Key, column: string, by: number | bigint): void {
  const t = ts.layout;
  const col = columnLayout(t, column);
  const op = tx.ops;
  const pos = rowOfKey(tx, ts, key, op);
  const mismatch = (why: string) =>
    new StateError('TYPE_MISMATCH', `${t.name}.${column} of the row with key ${describeValue(key)}: ${why}`, {
      table: t.name,
      column,
      key,
      value: by,
      op,
    });
  if (col.kind !== 'fixed' || col.domain >= 0 || col.type === 'bool') {
    throw mismatch(`only numeric columns can be incremented, not ${col.type}`);
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
  if (value === null) throw mismatch('null cannot be incremented');
  let next: Value;
  if (typeof value === 'bigint') {
    if (typeof by !== 'bigint' && !Number.isSafeInteger(by)) {
      throw mismatch(`increment by a bigint or a safe integer, got ${describeValue(by)}`);
    }
    next = value + BigInt(by);
  } else {
    if (typeof by !== 'number') throw mismatch(`increment by a number, got ${describeValue(by)}`);
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
  const next = add ? (items.includes(value) ? items : [...items, value]) : items.filter((x) => x !== value);
  // Adding a present item or removing an absent one changes nothing, and writes nothing.
  if (next.length !== items.length) updateRow(tx, ts, key, pos, nestValue(col, next));
  else tx.ops++;
}

/**
 * Checks a precondition against the transaction's state; throws PRECONDITION_FAILED, naming the
 * table, key, column, expected and actual values, when it does not hold.
 */
export function checkCondition(tx: TxCore, ts: TxTable, key: Key, condition: Condition): void {
  const t = ts.layout;
  const pos = positionOf(tx, ts, key);
  const fail = (what: string, column?: string, value?: unknown): never => {
    throw new StateError('PRECONDITION_FAILED', `${t.name} row with key ${describeValue(key)}: ${what}`, {
      table: t.name,
      key,
      ...(column === undefined ? {} : { column, value }),
      op: tx.ops,
    });
  };
  if (!isCondition(condition)) {
    throw new StateError(
      'INVALID_BATCH',
      `a condition on ${t.name} is { exists: boolean }, { column, equals: value } or { column, in: [values] }, not ${describeValue(condition)}`,
      { table: t.name, key, op: tx.ops },
    );
  }
  if ('exists' in condition) {
    if (condition.exists && pos < 0) fail('required to exist, but there is no such row');
    if (!condition.exists && pos >= 0) fail('required not to exist, but it does');
  } else {
    const col = columnLayout(t, condition.column);
    if (pos < 0) fail(`required ${condition.column} to match, but there is no such row`, condition.column);
    const actual = valueAt(tx, ts, pos, col);
    const wanted = 'equals' in condition ? [condition.equals] : condition.in;
    if (!wanted.some((w) => sameValue(actual, w))) {
      const expected =
        'equals' in condition
          ? describeValue(condition.equals)
          : `one of ${condition.in.map(describeValue).join(', ')}`;
      fail(
        `required ${condition.column} to be ${expected}, but it is ${describeValue(actual)}`,
        condition.column,
        actual,
      );
    }
  }
  tx.ops++;
}

/** Whether `c` has the shape of a Condition (it may come from a batch made elsewhere). */
function isCondition(c: unknown): c is Condition {
  if (c === null || typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  if ('exists' in o) return typeof o.exists === 'boolean';
  return typeof o.column === 'string' && ('equals' in o || Array.isArray(o.in));
}
