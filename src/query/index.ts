// The query engine: plans as plain data, a builder, and their execution on a snapshot's raw
// chunks, whole or split into row-group ranges for worker threads. See docs/queries.md.
export type { AggState } from './accumulators.js';
export type { GroupsPartial } from './aggregate.js';
export { QueryBuilder, query } from './builder.js';
export { executeQuery, type GroupRange, queryGroupCount, queryRowEstimate } from './execute.js';
export {
  and,
  between,
  contains,
  count,
  eq,
  gt,
  gte,
  isIn,
  isNull,
  lt,
  lte,
  max,
  mean,
  min,
  ne,
  not,
  or,
  sum,
} from './expr.js';
export type { KeyValue } from './keys.js';
export { mergePartials, type QueryResult, runQuery } from './merge.js';
export type { SortValue } from './order.js';
export type { QueryPartial, RowsPartial, TopKPartial } from './partial.js';
export type { Aggregate, CompareOp, Expr, JoinSpec, Literal, OrderKey, QueryPlan } from './plan.js';
export type { ResultColumn } from './resolve.js';
export { resultToArrow } from './result.js';
