/**
 * The reference of the query tests: a naive evaluator that answers a plan from plain row objects
 * read with `snapshot.getAt` / `snapshot.get`, written for clarity, not speed.
 */
import type { QueryPlan, Row, Snapshot } from '../../src/index.js';
import type { Aggregate, Expr, Literal } from '../../src/query/plan.js';
import { compareStrings } from '../../src/store/compare.js';

type V = Row[string];

/** The value of a column name in a row (with its joined row under the plan's alias). */
function cellOf(row: Row, name: string): V {
  const dot = name.indexOf('.');
  if (dot < 0) return row[name] ?? null;
  const parent = row[name.slice(0, dot)] as Row | null | undefined;
  if (parent === null || parent === undefined) return null;
  return cellOf(parent, name.slice(dot + 1));
}

/** Compares two non-null values the way queries define it. */
export function naiveCompare(a: V, b: Literal | V): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return (a as number) - (b as number);
}

function test(e: Expr, row: Row): boolean {
  switch (e.op) {
    case 'and':
      return e.args.every((x) => test(x, row));
    case 'or':
      return e.args.some((x) => test(x, row));
    case 'not':
      return !test(e.arg, row);
    case 'isNull':
      return cellOf(row, e.column) === null;
    case 'contains': {
      const v = cellOf(row, e.column) as string[] | null;
      return v?.includes(e.value) === true;
    }
    case 'in':
      return e.values.some((value) => test({ op: 'eq', column: e.column, value }, row));
    case 'between':
      return (
        test({ op: 'gte', column: e.column, value: e.low }, row) &&
        test({ op: 'lte', column: e.column, value: e.high }, row)
      );
    default: {
      const v = cellOf(row, e.column);
      if (v === null) return false;
      const c = naiveCompare(v, e.value);
      return { eq: c === 0, ne: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[e.op];
    }
  }
}

/** Sort order: nulls last either way, then storage order (or first appearance) on ties. */
function compareBy(a: Row, b: Row, keys: QueryPlan['orderBy'], get: (r: Row, n: string) => V): number {
  for (const k of keys) {
    const x = get(a, k.column);
    const y = get(b, k.column);
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = naiveCompare(x, y);
    if (c !== 0) return k.direction === 'desc' ? -c : c;
  }
  return 0;
}

/** Keeps the selected names of a full row, nested as the engine's rows are. */
function project(row: Row, names: readonly string[]): Row {
  const out: Row = {};
  for (const name of names) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      out[name] = row[name] ?? null;
      continue;
    }
    const parent = name.slice(0, dot);
    const src = row[parent] as Row | null;
    if (src === null) {
      out[parent] = null;
      continue;
    }
    const into = (out[parent] ?? {}) as Row;
    const leaf = name.slice(dot + 1);
    Object.assign(into, project(src, [leaf]));
    out[parent] = into;
  }
  return out;
}

/** Answers `plan` from the snapshot's rows, one plain object at a time. */
export function naiveQuery(snap: Snapshot, plan: QueryPlan): Row[] {
  const join = plan.join;
  let rows: Row[] = Array.from({ length: snap.count(plan.table) }, (_, i) => snap.getAt(plan.table, i));
  if (join !== null) {
    const joined: Row[] = [];
    for (const row of rows) {
      const key = row[join.on] as string | null;
      const other = key === null ? null : snap.get(join.table, key);
      if (other === null && join.kind === 'inner') continue;
      joined.push({ ...row, [join.as]: other });
    }
    rows = joined;
  }
  if (plan.where !== null) rows = rows.filter((r) => test(plan.where!, r));
  const limit = plan.limit ?? Number.POSITIVE_INFINITY;
  const grouped = plan.groupBy.length > 0 || Object.keys(plan.aggregates).length > 0;
  if (!grouped) {
    // Array sort is stable: ties keep storage order.
    if (plan.orderBy.length > 0) rows = [...rows].sort((a, b) => compareBy(a, b, plan.orderBy, cellOf));
    rows = rows.slice(0, Math.min(limit, rows.length));
    if (plan.select.length === 0) return rows;
    return rows.map((r) => {
      const names = plan.select.map((n) => n);
      const out = project(
        r,
        names.filter((n) => n !== join?.as && !n.startsWith(`${join?.as}.`)),
      );
      if (join !== null) {
        if (names.includes(join.as)) out[join.as] = r[join.as] ?? null;
        else {
          const mine = names
            .filter((n) => n.startsWith(`${join.as}.`))
            .map((n) => n.slice(join.as.length + 1));
          if (mine.length > 0) out[join.as] = r[join.as] === null ? null : project(r[join.as] as Row, mine);
        }
      }
      return out;
    });
  }
  const groups = new Map<string, Row[]>();
  const keyOf = (r: Row) =>
    JSON.stringify(
      plan.groupBy.map((n) => {
        const v = cellOf(r, n);
        return v === null ? 0 : [typeof v, String(v)];
      }),
    );
  for (const r of rows) {
    const k = keyOf(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  if (plan.groupBy.length === 0 && groups.size === 0) groups.set('', []);
  let out: Row[] = [...groups.values()].map((members) => {
    const row: Row = {};
    for (const n of plan.groupBy) row[n] = cellOf(members[0]!, n);
    for (const [name, a] of Object.entries(plan.aggregates)) row[name] = aggregate(a, members);
    return row;
  });
  if (plan.orderBy.length > 0)
    out = [...out].sort((a, b) => compareBy(a, b, plan.orderBy, (r, n) => r[n] ?? null));
  return out.slice(0, Math.min(limit, out.length));
}

function aggregate(a: Aggregate, rows: Row[]): V {
  if (a.fn === 'count' && a.column === undefined) return rows.length;
  const values = rows.map((r) => cellOf(r, a.column!)).filter((v) => v !== null);
  switch (a.fn) {
    case 'count':
      return values.length;
    case 'sum':
    case 'mean': {
      if (values.length === 0) return null;
      const s =
        typeof values[0] === 'bigint'
          ? values.reduce((x, y) => (x as bigint) + (y as bigint), 0n)
          : values.reduce((x, y) => (x as number) + (y as number), 0);
      return a.fn === 'sum' ? s : Number(s) / values.length;
    }
    default: {
      let best: V = null;
      for (const v of values) {
        if (best === null) best = v;
        else {
          const c = naiveCompare(v, best);
          if (a.fn === 'max' ? c > 0 : c < 0) best = v;
        }
      }
      return best;
    }
  }
}
