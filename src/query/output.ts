import type { ColumnSchema, TableSchema } from '../schema/schema.js';
import type { QueryColumn, ResolvedAggregate, ResultColumn } from './resolve.js';

// The output columns of a query (names and types), for its rows and its Arrow table.

export function resultColumn(name: string, c: QueryColumn): ResultColumn {
  return { name, type: c.type, nullable: c.nullable };
}

export function schemaResultColumn(name: string, c: ColumnSchema, forceNull: boolean): ResultColumn {
  if (c.type === 'struct') {
    const fields = Object.entries(c.fields ?? {}).map(([n, f]) =>
      schemaResultColumn(n, f as ColumnSchema, forceNull),
    );
    return { name, type: 'struct', nullable: false, fields };
  }
  return { name, type: c.type, nullable: c.nullable || forceNull };
}

/** Adds a selected name to the output columns, nesting struct fields under their struct. */
export function addOutput(out: ResultColumn[], table: TableSchema, name: string, forceNull = false): void {
  const dot = name.indexOf('.');
  if (dot < 0) {
    if (out.some((c) => c.name === name)) return;
    out.push(schemaResultColumn(name, table.columns.find((c) => c.name === name)!, forceNull));
    return;
  }
  const parent = name.slice(0, dot);
  const leaf = name.slice(dot + 1);
  const top = table.columns.find((c) => c.name === parent)!;
  let entry = out.find((c) => c.name === parent) as { fields: ResultColumn[] } | undefined;
  if (entry === undefined) {
    entry = { name: parent, type: 'struct', nullable: false, fields: [] } as unknown as {
      fields: ResultColumn[];
    };
    out.push(entry as unknown as ResultColumn);
  }
  if (!entry.fields.some((c) => c.name === leaf)) {
    entry.fields.push(schemaResultColumn(leaf, top.fields![leaf] as ColumnSchema, forceNull));
  }
}

export function aggregateColumn(a: ResolvedAggregate): ResultColumn {
  if (a.fn === 'count') return { name: a.name, type: 'float64', nullable: false };
  const c = a.column!;
  if (a.fn === 'mean') return { name: a.name, type: 'float64', nullable: true };
  if (a.fn === 'sum') return { name: a.name, type: c.type === 'int64' ? 'int64' : 'float64', nullable: true };
  return { name: a.name, type: c.type, nullable: true };
}
