import type { Snapshot } from '../store/snapshot.js';
import type { Row } from '../store/values.js';
import type { AggState } from './accumulators.js';
import { executeQuery } from './execute.js';
import { invalid } from './invalid.js';
import type { KeyValue } from './keys.js';
import { compareKeys, compareValues, type SortValue } from './order.js';
import type { QueryPartial } from './partial.js';
import type { Aggregate, QueryPlan } from './plan.js';
import type { ResultColumn } from './resolve.js';
import { compareCandidates } from './topk.js';

/** A query's answer: the version it read, its columns, and its rows (dictionary values as strings). */
export interface QueryResult {
  readonly version: number;
  readonly columns: readonly ResultColumn[];
  readonly rows: Row[];
}

/**
 * Merges the partial results of one plan's parts (at least one), given in part order (the order
 * of their row groups), and finishes the result: group states combined and finalized (mean = sum / count),
 * then orderBy and limit applied.
 */
export function mergePartials(plan: QueryPlan, parts: readonly QueryPartial[]): QueryResult {
  if (parts.length === 0) {
    // The columns (and the version) come from the parts: a table without groups still gives one
    // part, of the empty range [0, 0).
    throw invalid(
      `no partial results to merge for the query of ${plan.table}; execute at least one range, even [0, 0)`,
      {
        table: plan.table,
      },
    );
  }
  const version = parts[0]!.version;
  for (const p of parts) {
    if (p.version !== version) {
      throw invalid(
        `partials of a query of ${plan.table} read different versions (${version} and ${p.version})`,
        {
          table: plan.table,
        },
      );
    }
  }
  const columns = parts[0]!.columns;
  const limit = plan.limit ?? Number.POSITIVE_INFINITY;
  const grouped = plan.groupBy.length > 0 || Object.keys(plan.aggregates).length > 0;
  if (grouped) return { version, columns, rows: mergeGroups(plan, parts, limit) };
  if (plan.orderBy.length === 0) {
    const rows: Row[] = [];
    for (const p of parts) {
      if (p.data.kind !== 'rows') throw mismatch(plan);
      for (const row of p.data.rows) {
        if (rows.length >= limit) break;
        rows.push(row);
      }
    }
    return { version, columns, rows };
  }
  const desc = plan.orderBy.map((o) => o.direction === 'desc');
  const all: { pos: number; keys: SortValue[]; row: Row }[] = [];
  for (const p of parts) {
    if (p.data.kind !== 'topk') throw mismatch(plan);
    const d = p.data;
    for (let k = 0; k < d.rows.length; k++)
      all.push({ pos: d.positions[k]!, keys: d.keys[k]!, row: d.rows[k]! });
  }
  all.sort((a, b) => compareCandidates(a, b, desc));
  return { version, columns, rows: all.slice(0, Math.min(limit, all.length)).map((c) => c.row) };
}

/** Executes `plan` on every row group of its table and merges: the whole query in this thread. */
export function runQuery(snapshot: Snapshot, plan: QueryPlan): QueryResult {
  return mergePartials(plan, [executeQuery(snapshot, plan)]);
}

function mismatch(plan: QueryPlan) {
  return invalid(`a partial result does not match the plan of the query of ${plan.table}`, {
    table: plan.table,
  });
}

/** A group's identity across parts: its key values with their types (-0 joins 0, as in a part). */
function groupId(keys: readonly KeyValue[]): string {
  return JSON.stringify(keys.map((k) => (k === null ? 0 : [typeof k, String(k)])));
}

function mergeGroups(plan: QueryPlan, parts: readonly QueryPartial[], limit: number): Row[] {
  const aggs = Object.entries(plan.aggregates);
  const fns = aggs.map(([, a]) => a.fn);
  const index = new Map<string, number>();
  const keys: KeyValue[][] = [];
  const states: AggState[][] = [];
  for (const p of parts) {
    if (p.data.kind !== 'groups') throw mismatch(plan);
    const d = p.data;
    for (let g = 0; g < d.keys.length; g++) {
      const id = groupId(d.keys[g]!);
      const at = index.get(id);
      if (at === undefined) {
        index.set(id, keys.length);
        keys.push(d.keys[g]!);
        states.push(d.states[g]!.slice());
      } else {
        const s = states[at]!;
        for (let a = 0; a < fns.length; a++) s[a] = mergeState(fns[a]!, s[a]!, d.states[g]![a]!);
      }
    }
  }
  // An aggregate over no groups still answers one row (count 0, the others null).
  if (plan.groupBy.length === 0 && keys.length === 0) {
    keys.push([]);
    states.push(fns.map((fn) => (fn === 'count' ? 0 : fn === 'mean' ? [0, 0] : null)));
  }
  const rows: Row[] = keys.map((key, g) => {
    const row: Row = {};
    plan.groupBy.forEach((name, k) => {
      setField(row, name, key[k]!);
    });
    aggs.forEach(([name, a], k) => {
      setField(row, name, finalize(a, states[g]![k]!));
    });
    return row;
  });
  if (plan.orderBy.length > 0) {
    const names = plan.orderBy.map((o) => o.column);
    const desc = plan.orderBy.map((o) => o.direction === 'desc');
    const sortKeys = new Map(rows.map((row) => [row, names.map((n) => row[n] as SortValue)]));
    // Array sort is stable: ties keep the groups' order of first appearance.
    rows.sort((a, b) => compareKeys(sortKeys.get(a)!, sortKeys.get(b)!, desc));
  }
  return rows.length > limit ? rows.slice(0, limit) : rows;
}

/** Sets an output field; a name from the plan may be `__proto__`, which must stay a plain field. */
function setField(row: Row, name: string, value: Row[string]): void {
  if (name === '__proto__')
    Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
  else row[name] = value;
}

function mergeState(fn: Aggregate['fn'], a: AggState, b: AggState): AggState {
  switch (fn) {
    case 'count':
      return (a as number) + (b as number);
    case 'mean': {
      const [s1, n1] = a as [number | bigint, number];
      const [s2, n2] = b as [number | bigint, number];
      if (n1 === 0) return [s2, n2];
      if (n2 === 0) return [s1, n1];
      return [(s1 as number) + (s2 as number), n1 + n2];
    }
    case 'sum':
      if (a === null) return b;
      if (b === null) return a;
      return (a as number) + (b as number);
    default: {
      if (a === null) return b;
      if (b === null) return a;
      const c = compareValues(b as Exclude<SortValue, null>, a as Exclude<SortValue, null>);
      // Strictly better only, as a sequential scan keeps the first of equal values.
      return (fn === 'max' ? c > 0 : c < 0) ? b : a;
    }
  }
}

function finalize(a: Aggregate, s: AggState): Row[string] {
  if (a.fn === 'mean') {
    const [sum, n] = s as [number | bigint, number];
    return n === 0 ? null : Number(sum) / n;
  }
  return s as Row[string];
}
