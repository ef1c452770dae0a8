import type { Aggregate, Expr, JoinSpec, OrderKey, QueryPlan } from './plan.js';

/**
 * Builds a {@link QueryPlan} step by step. Each method returns a new builder, so a partial query
 * can be shared and extended. `build()` gives the plain-data plan to run or post to a worker.
 */
export class QueryBuilder {
  readonly #plan: QueryPlan;

  constructor(plan: QueryPlan) {
    this.#plan = plan;
  }

  /** Keeps the rows where `expr` holds; called again, both must hold. */
  where(expr: Expr): QueryBuilder {
    const prev = this.#plan.where;
    return this.#with({ where: prev === null ? expr : { op: 'and', args: [prev, expr] } });
  }

  /** The output columns of an ungrouped query ("struct" for all its fields, "struct.field" one). */
  select(...columns: string[]): QueryBuilder {
    return this.#with({ select: [...this.#plan.select, ...columns] });
  }

  /** Groups rows by these columns; rows then carry the keys and the aggregates. */
  groupBy(...columns: string[]): QueryBuilder {
    return this.#with({ groupBy: [...this.#plan.groupBy, ...columns] });
  }

  /** Adds named aggregates, e.g. `{ n: count(), load: mean('load') }`. */
  aggregate(aggregates: Record<string, Aggregate>): QueryBuilder {
    return this.#with({ aggregates: { ...this.#plan.aggregates, ...aggregates } });
  }

  /** Adds a sort key (ties keep storage order, or the groups' first appearance). */
  orderBy(column: string, direction: 'asc' | 'desc' = 'asc'): QueryBuilder {
    const key: OrderKey = { column, direction };
    return this.#with({ orderBy: [...this.#plan.orderBy, key] });
  }

  /** At most `n` rows (with orderBy, the first n in that order: a top-k). */
  limit(n: number): QueryBuilder {
    return this.#with({ limit: n });
  }

  /**
   * Joins each row to the row of `table` whose primary key equals column `on`; its columns are
   * then named `${as}.column` (default alias: the table's name). Inner unless `kind: 'left'`.
   */
  join(table: string, on: string, options: { as?: string; kind?: 'inner' | 'left' } = {}): QueryBuilder {
    const join: JoinSpec = { table, on, as: options.as ?? table, kind: options.kind ?? 'inner' };
    return this.#with({ join });
  }

  /** The plan: plain, structured-clonable data. */
  build(): QueryPlan {
    return this.#plan;
  }

  #with(change: Partial<QueryPlan>): QueryBuilder {
    return new QueryBuilder({ ...this.#plan, ...change });
  }
}

/** Starts a query of `table`. */
export function query(table: string): QueryBuilder {
  return new QueryBuilder({
    v: 1,
    table,
    where: null,
    select: [],
    join: null,
    groupBy: [],
    aggregates: {},
    orderBy: [],
    limit: null,
  });
}
