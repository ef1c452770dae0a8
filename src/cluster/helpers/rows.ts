import { count, type Expr, query, runQuery } from '../../query/index.js';
import type { Snapshot } from '../../store/snapshot.js';
import type { Row } from '../../store/values.js';

/** Every row of `table`, in storage order (for the helpers that return them all). */
export function allRows(snap: Snapshot, table: string): Row[] {
  const n = snap.count(table);
  const out: Row[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = snap.getAt(table, i);
  return out;
}

/** The rows of `table` where `where` holds, all columns, in storage order (through the query engine). */
export function rowsWhere(snap: Snapshot, table: string, where: Expr): Row[] {
  return runQuery(snap, query(table).where(where).build()).rows;
}

/** Rows of `table` counted by the values of `column` (where `where` holds): `{ value: count }`, in order of first appearance. */
export function countsBy(
  snap: Snapshot,
  table: string,
  column: string,
  where?: Expr,
): Record<string, number> {
  let q = query(table);
  if (where !== undefined) q = q.where(where);
  const { rows } = runQuery(snap, q.groupBy(column).aggregate({ n: count() }).build());
  const out: Record<string, number> = {};
  for (const r of rows) out[String(r[column])] = Number(r.n);
  return out;
}

/** A byte count or size as a number, whether the column reads as bigint (int64) or number. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
