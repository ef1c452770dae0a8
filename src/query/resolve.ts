import { StateError } from '../errors.js';
import type { ColumnSchema, Schema, TableSchema } from '../schema/schema.js';
import type { ColumnTypeName } from '../schema/types.js';
import { checkExpr } from './check-expr.js';
import { invalid, isNumeric, isRecord } from './invalid.js';
import { addOutput, aggregateColumn, resultColumn, schemaResultColumn } from './output.js';
import type { Aggregate, Expr, JoinSpec, OrderKey, QueryPlan } from './plan.js';

/*
 * Checks a plan against the schema and resolves every column name once, before any row is read.
 * A plan may come from another thread as plain data, so nothing about its shape is assumed: every
 * field is checked, and every mistake is an INVALID_QUERY (or UNKNOWN_TABLE / UNKNOWN_COLUMN, the
 * codes the rest of the store gives for names) naming what was wrong.
 */

/** A stored (leaf) column a query reads: of the main table, or of the joined one. */
export interface QueryColumn {
  /** The name the plan uses: "col", "struct.field", or "alias.col" for a joined column. */
  readonly name: string;
  readonly side: 'main' | 'joined';
  /** The stored column's name in its table ("struct.field" for a struct's field). */
  readonly stored: string;
  readonly type: Exclude<ColumnTypeName, 'struct'>;
  /** Whether the scan can see a null (joined columns of a left join always can). */
  readonly nullable: boolean;
  /** The dictionary domain of a dictionary column or of a list's items; null otherwise. */
  readonly domain: string | null;
  /** Index of the column in the scan's column list. */
  readonly slot: number;
}

/** An output column's name and type, for rows and for the Arrow table of a result. */
export interface ResultColumn {
  readonly name: string;
  /** The stored type; `count`, `mean` and non-int64 `sum` results are float64. */
  readonly type: Exclude<ColumnTypeName, 'struct'> | 'struct';
  readonly nullable: boolean;
  /** A struct's (or a joined table's) fields. */
  readonly fields?: readonly ResultColumn[];
}

/** A resolved aggregate. */
export interface ResolvedAggregate {
  readonly name: string;
  readonly fn: Aggregate['fn'];
  /** null for count(). */
  readonly column: QueryColumn | null;
}

/** A plan checked against the schema. */
export interface ResolvedPlan {
  readonly plan: QueryPlan;
  readonly main: TableSchema;
  readonly joined: TableSchema | null;
  readonly join: JoinSpec | null;
  /** The main table's join column. */
  readonly joinOn: QueryColumn | null;
  /** Every leaf column the scan reads, by slot. */
  readonly columns: readonly QueryColumn[];
  readonly where: Expr | null;
  readonly groupBy: readonly QueryColumn[];
  readonly aggregates: readonly ResolvedAggregate[];
  /** Grouped (groupBy or aggregates) or not. */
  readonly grouped: boolean;
  /** Ungrouped: the sort columns; grouped: the sort keys' indexes into the output row's names. */
  readonly order: readonly {
    readonly column: QueryColumn | null;
    readonly name: string;
    readonly desc: boolean;
  }[];
  readonly limit: number | null;
  /** Ungrouped: the main table's columns to read for output rows (undefined: all of them). */
  readonly selectMain: readonly string[] | undefined;
  /** Ungrouped with a join: the joined table's columns for output rows (undefined: all), or null for none. */
  readonly selectJoined: readonly string[] | undefined | null;
  readonly output: readonly ResultColumn[];
}

/** Checks `plan` against `schema` and resolves its names. */
export function resolvePlan(schema: Schema, plan: QueryPlan): ResolvedPlan {
  if (!isRecord(plan) || plan.v !== 1) {
    throw invalid('a query plan must be an object with v: 1 (build one with query())');
  }
  const main = findTable(schema, plan.table);
  const columns: QueryColumn[] = [];
  const byName = new Map<string, QueryColumn>();

  let join: JoinSpec | null = null;
  let joined: TableSchema | null = null;
  if (plan.join !== null && plan.join !== undefined) {
    join = plan.join;
    if (!isRecord(join) || typeof join.as !== 'string' || (join.kind !== 'inner' && join.kind !== 'left')) {
      throw invalid(`the join of a query of ${main.name} needs table, on, as and kind ('inner' or 'left')`, {
        table: main.name,
      });
    }
    joined = findTable(schema, join.table);
    const as = join.as;
    if (main.columns.some((c) => c.name === as) || as.includes('.') || as === '' || as === '__proto__') {
      throw invalid(
        `join alias ${JSON.stringify(as)} is empty, dotted, __proto__, or a column of ${main.name}`,
        {
          table: main.name,
        },
      );
    }
  }

  /** Resolves a leaf column name to a scan slot. */
  const column = (name: unknown, what: string): QueryColumn => {
    if (typeof name !== 'string')
      throw invalid(`${what} of a query of ${main.name} needs a column name`, { table: main.name });
    const known = byName.get(name);
    if (known !== undefined) return known;
    let side: 'main' | 'joined' = 'main';
    let table = main;
    let stored = name;
    if (join !== null && name.startsWith(`${join.as}.`)) {
      side = 'joined';
      table = joined!;
      stored = name.slice(join.as.length + 1);
    }
    const schemaCol = leafColumn(table, stored, what);
    if (side === 'joined' && (schemaCol.type === 'utf8' || schemaCol.type === 'list')) {
      throw invalid(
        `${what} on joined column ${name} (${schemaCol.type}) is not supported; joined utf8 and list columns can only be selected`,
        { table: table.name, column: stored },
      );
    }
    const c: QueryColumn = {
      name,
      side,
      stored,
      type: schemaCol.type as QueryColumn['type'],
      nullable: schemaCol.nullable || (side === 'joined' && join!.kind === 'left'),
      domain: schemaCol.type === 'list' ? (schemaCol.item?.domain ?? null) : (schemaCol.domain ?? null),
      slot: columns.length,
    };
    columns.push(c);
    byName.set(name, c);
    return c;
  };

  let joinOn: QueryColumn | null = null;
  if (join !== null) {
    joinOn = column(join.on, 'join');
    if (joinOn.side !== 'main') throw invalid(`join column ${join.on} must be a column of ${main.name}`);
    const key = joined!.key === null ? null : joined!.columns.find((c) => c.name === joined!.key)!;
    if (key === null) {
      throw invalid(`cannot join ${main.name} to ${joined!.name}: it has no primary key`, {
        table: joined!.name,
      });
    }
    const dictOk = key.type === 'dictionary' && joinOn.type === 'dictionary' && key.domain === joinOn.domain;
    const intOk = key.type !== 'dictionary' && isNumeric(joinOn.type) && !joinOn.type.startsWith('float');
    if (!dictOk && !intOk) {
      throw invalid(
        `cannot join ${main.name}.${joinOn.name} (${describeType(joinOn)}) to the key ${joined!.name}.${key.name} (${key.type}${key.domain ? ` of domain ${key.domain}` : ''}): a join needs a shared dictionary domain or integer ids`,
        { table: main.name, column: joinOn.name },
      );
    }
  }

  const where = plan.where ?? null;
  if (where !== null) checkExpr(where, main.name, column);

  if (!Array.isArray(plan.groupBy) || !Array.isArray(plan.select) || !Array.isArray(plan.orderBy)) {
    throw invalid(`select, groupBy and orderBy of a query of ${main.name} must be arrays`, {
      table: main.name,
    });
  }
  const groupBy = plan.groupBy.map((name) => {
    const c = column(name, 'groupBy');
    if (c.type === 'list')
      throw invalid(`cannot group by list column ${c.name}`, { table: main.name, column: c.name });
    return c;
  });
  if (!isRecord(plan.aggregates)) throw invalid(`aggregates of a query of ${main.name} must be an object`);
  const aggregates = Object.entries(plan.aggregates).map(([name, agg]): ResolvedAggregate => {
    if (!isRecord(agg) || !['count', 'sum', 'min', 'max', 'mean'].includes(agg.fn as string)) {
      throw invalid(`aggregate ${name} of a query of ${main.name} must be count, sum, min, max or mean`, {
        table: main.name,
      });
    }
    if (agg.fn === 'count' && agg.column === undefined) return { name, fn: 'count', column: null };
    const c = column(agg.column, `${agg.fn}()`);
    if ((agg.fn === 'sum' || agg.fn === 'mean') && !isNumeric(c.type) && c.type !== 'int64') {
      throw invalid(
        `cannot ${agg.fn} column ${c.name} of type ${describeType(c)}: it needs a number column`,
        {
          table: main.name,
          column: c.name,
        },
      );
    }
    if ((agg.fn === 'min' || agg.fn === 'max') && c.type === 'list') {
      throw invalid(`cannot take the ${agg.fn} of list column ${c.name}`, {
        table: main.name,
        column: c.name,
      });
    }
    return { name, fn: agg.fn as Aggregate['fn'], column: c };
  });
  const grouped = groupBy.length > 0 || aggregates.length > 0;
  const names = new Set<string>();
  for (const n of [...groupBy.map((c) => c.name), ...aggregates.map((a) => a.name)]) {
    if (names.has(n))
      throw invalid(`output name ${n} appears twice in a query of ${main.name}`, { table: main.name });
    names.add(n);
  }
  if (grouped && plan.select.length > 0) {
    throw invalid(
      `a grouped query of ${main.name} cannot also select columns: its rows are the keys and aggregates`,
      {
        table: main.name,
      },
    );
  }

  const order = plan.orderBy.map((k: OrderKey) => {
    if (!isRecord(k) || (k.direction !== 'asc' && k.direction !== 'desc')) {
      throw invalid(`an orderBy key of a query of ${main.name} needs a column and direction 'asc' or 'desc'`);
    }
    if (grouped) {
      if (!names.has(k.column)) {
        throw invalid(
          `a grouped query of ${main.name} orders by a group key or aggregate name, not ${k.column}`,
          {
            table: main.name,
            column: k.column,
          },
        );
      }
      return { column: null, name: k.column, desc: k.direction === 'desc' };
    }
    const c = column(k.column, 'orderBy');
    if (c.type === 'list')
      throw invalid(`cannot order by list column ${c.name}`, { table: main.name, column: c.name });
    return { column: c, name: c.name, desc: k.direction === 'desc' };
  });

  const limit = plan.limit ?? null;
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw invalid(`limit of a query of ${main.name} must be a non-negative integer, not ${String(limit)}`, {
      table: main.name,
    });
  }

  // Output columns.
  let selectMain: string[] | undefined;
  let selectJoined: string[] | undefined | null = null;
  const output: ResultColumn[] = [];
  if (grouped) {
    for (const c of groupBy) output.push(resultColumn(c.name, c));
    for (const a of aggregates) output.push(aggregateColumn(a));
  } else {
    const mainNames: string[] = [];
    const joinedNames: string[] = [];
    const selected = plan.select.length === 0 ? null : plan.select;
    let joinedAll = selected === null && join !== null;
    if (selected === null) for (const c of main.columns) output.push(schemaResultColumn(c.name, c, false));
    for (const name of selected ?? []) {
      if (typeof name !== 'string') throw invalid(`select of a query of ${main.name} needs column names`);
      if (join !== null && name === join.as) {
        joinedAll = true;
        continue;
      }
      const isJoined = join !== null && name.startsWith(`${join.as}.`);
      const table = isJoined ? joined! : main;
      const stored = isJoined ? name.slice(join!.as.length + 1) : name;
      const top = table.columns.find((c) => c.name === stored);
      if (top?.type !== 'struct') leafColumn(table, stored, 'select');
      (isJoined ? joinedNames : mainNames).push(stored);
    }
    // Output columns in the order getAt builds them: top-level fields by first appearance.
    for (const name of mainNames) addOutput(output, main, name);
    if (joinedAll || joinedNames.length > 0) {
      const fields: ResultColumn[] = [];
      if (joinedAll) for (const c of joined!.columns) fields.push(schemaResultColumn(c.name, c, true));
      else for (const name of joinedNames) addOutput(fields, joined!, name, true);
      output.push({ name: join!.as, type: 'struct', nullable: join!.kind === 'left', fields });
    }
    selectMain = selected === null ? undefined : mainNames;
    selectJoined = joinedAll ? undefined : joinedNames.length > 0 ? joinedNames : null;
  }

  return {
    plan,
    main,
    joined,
    join,
    joinOn,
    columns,
    where,
    groupBy,
    aggregates,
    grouped,
    order,
    limit,
    selectMain,
    selectJoined,
    output,
  };
}

function findTable(schema: Schema, name: unknown): TableSchema {
  const t = schema.tables.find((x) => x.name === name);
  if (t === undefined) {
    throw new StateError(
      'UNKNOWN_TABLE',
      `unknown table ${JSON.stringify(name)} in a query; the tables are ${schema.tables.map((x) => x.name).join(', ')}`,
      { table: String(name) },
    );
  }
  return t;
}

/** A stored column: a top-level non-struct column or "struct.field". */
export function leafColumn(table: TableSchema, name: string, what: string): ColumnSchema {
  const dot = name.indexOf('.');
  const top = table.columns.find((c) => c.name === (dot < 0 ? name : name.slice(0, dot)));
  let col: ColumnSchema | undefined = top;
  if (top !== undefined && dot >= 0) {
    const field = top.type === 'struct' ? top.fields?.[name.slice(dot + 1)] : undefined;
    col =
      field === undefined || !Object.hasOwn(top.fields!, name.slice(dot + 1))
        ? undefined
        : (field as ColumnSchema);
  }
  if (col === undefined) {
    throw new StateError(
      'UNKNOWN_COLUMN',
      `unknown column ${JSON.stringify(name)} of table ${table.name} in a query's ${what}`,
      { table: table.name, column: name },
    );
  }
  if (col.type === 'struct') {
    throw invalid(`${what} needs one field of struct column ${table.name}.${name}, as in "${name}.field"`, {
      table: table.name,
      column: name,
    });
  }
  return col;
}

/** A column's type for a message: "dictionary of domain node". */
export function describeType(c: QueryColumn): string {
  return c.domain === null ? c.type : `${c.type} of domain ${c.domain}`;
}
