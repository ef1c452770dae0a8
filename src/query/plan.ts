/*
 * The query plan: plain data only (strings, numbers, bigints, booleans, arrays and plain objects),
 * because a plan is posted to pool workers in a structured clone and must mean the same there. It is
 * checked against the schema when it is executed, not when it is built: one that arrives from
 * another thread is untrusted data. docs/queries.md is the contract.
 */

/** A literal a filter compares with: bigint for int64 columns (a safe-integer number also works). */
export type Literal = number | bigint | string | boolean;

/** The comparison operators. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';

/**
 * A filter expression. Column names are a table's column names, "struct.field" for a struct's
 * field, or "alias.column" for a column of the joined table. A comparison with a null cell is false
 * (`ne` too); `not` is plain negation of that two-valued result.
 */
export type Expr =
  | { readonly op: CompareOp; readonly column: string; readonly value: Literal }
  | { readonly op: 'in'; readonly column: string; readonly values: readonly Literal[] }
  | { readonly op: 'between'; readonly column: string; readonly low: Literal; readonly high: Literal }
  | { readonly op: 'isNull'; readonly column: string }
  | { readonly op: 'contains'; readonly column: string; readonly value: string }
  | { readonly op: 'and'; readonly args: readonly Expr[] }
  | { readonly op: 'or'; readonly args: readonly Expr[] }
  | { readonly op: 'not'; readonly arg: Expr };

/** An aggregate function: `count` without a column counts rows, with one its non-null values. */
export type Aggregate =
  | { readonly fn: 'count'; readonly column?: string }
  | { readonly fn: 'sum' | 'min' | 'max' | 'mean'; readonly column: string };

/** One sort key: a column (or, with groupBy, an output name: a group key or an aggregate). */
export interface OrderKey {
  readonly column: string;
  readonly direction: 'asc' | 'desc';
}

/**
 * A join of the main table's rows to the rows of `table` whose primary key equals the main
 * table's column `on` (a dictionary column of the key's domain, or an integer column for an
 * integer key). The joined columns are named `${as}.${column}`.
 */
export interface JoinSpec {
  readonly table: string;
  readonly on: string;
  readonly as: string;
  /** inner drops rows without a match (and rows whose `on` is null); left keeps them, with nulls. */
  readonly kind: 'inner' | 'left';
}

/** A query: structured-clonable data, built with `query()` or written by hand. */
export interface QueryPlan {
  /** The plan format's version, so that a worker can refuse one it does not know. */
  readonly v: 1;
  /** The main table. */
  readonly table: string;
  readonly where: Expr | null;
  /** Output columns of an ungrouped query; empty means every column (and the joined table's). */
  readonly select: readonly string[];
  readonly join: JoinSpec | null;
  readonly groupBy: readonly string[];
  /** Output name to aggregate; with no groupBy, a non-empty record makes one row over all rows. */
  readonly aggregates: Readonly<Record<string, Aggregate>>;
  readonly orderBy: readonly OrderKey[];
  /** At most this many rows; null for all. */
  readonly limit: number | null;
}
