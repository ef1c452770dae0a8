import type { Aggregate, CompareOp, Expr, Literal } from './plan.js';

// Expression and aggregate helpers: each returns plain data for a QueryPlan. Nothing is checked
// here; the plan is validated against the schema when it is executed.

const compare =
  (op: CompareOp) =>
  (column: string, value: Literal): Expr => ({ op, column, value });

/** `column = value`; a dictionary column compares codes. */
export const eq = compare('eq');
/** `column != value`; false for a null cell (use `isNull` to find nulls). */
export const ne = compare('ne');
/** `column < value`; strings (dictionary or utf8) in `compareStrings` order. */
export const lt = compare('lt');
/** `column <= value`. */
export const lte = compare('lte');
/** `column > value`. */
export const gt = compare('gt');
/** `column >= value`. */
export const gte = compare('gte');

/** `column` is one of `values`. */
export const isIn = (column: string, values: readonly Literal[]): Expr => ({
  op: 'in',
  column,
  values: [...values],
});

/** `low <= column <= high` (both ends included). */
export const between = (column: string, low: Literal, high: Literal): Expr => ({
  op: 'between',
  column,
  low,
  high,
});

/** `column` is null. */
export const isNull = (column: string): Expr => ({ op: 'isNull', column });

/** A list column holds `value` among its items. */
export const contains = (column: string, value: string): Expr => ({ op: 'contains', column, value });

/** Every one of `args` holds (true when there are none). */
export const and = (...args: Expr[]): Expr => ({ op: 'and', args });

/** At least one of `args` holds (false when there are none). */
export const or = (...args: Expr[]): Expr => ({ op: 'or', args });

/** `arg` does not hold (a null cell's false comparison becomes true). */
export const not = (arg: Expr): Expr => ({ op: 'not', arg });

/** Rows of the group (no column), or non-null values of `column`. */
export const count = (column?: string): Aggregate =>
  column === undefined ? { fn: 'count' } : { fn: 'count', column };
/** Sum of the non-null values of a numeric column (a bigint for int64); null when there are none. */
export const sum = (column: string): Aggregate => ({ fn: 'sum', column });
/** Smallest non-null value (strings in `compareStrings` order); null when there are none. */
export const min = (column: string): Aggregate => ({ fn: 'min', column });
/** Largest non-null value; null when there are none. */
export const max = (column: string): Aggregate => ({ fn: 'max', column });
/** Mean of the non-null values of a numeric column, as a number; null when there are none. */
export const mean = (column: string): Aggregate => ({ fn: 'mean', column });
