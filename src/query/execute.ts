import type { ChunkView } from '../store/arrow-view.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Row } from '../store/values.js';
import { Grouper } from './aggregate.js';
import { isValid } from './cells.js';
import { QueryContext } from './context.js';
import { compileFilter } from './filter.js';
import { invalid } from './invalid.js';
import { buildJoinIndex, gatherChunk, type JoinIndex } from './join.js';
import { keyRows } from './key-rows.js';
import type { SortValue } from './order.js';
import type { QueryPartial, RowsPartial, TopKPartial } from './partial.js';
import type { QueryPlan } from './plan.js';
import { type ResolvedPlan, resolvePlan } from './resolve.js';
import { sortKeyReader } from './sortkeys.js';
import { TopK } from './topk.js';

/** A range of row groups of the main table: [groupStart, groupEnd). */
export interface GroupRange {
  readonly groupStart: number;
  readonly groupEnd: number;
}

/** How many row groups the plan's main table has at the snapshot's version: split [0, n) into parts. */
export function queryGroupCount(snapshot: Snapshot, plan: QueryPlan): number {
  return snapshot.groupCount(resolvePlan(snapshot.schema, plan).main.name);
}

/**
 * About how many rows running `plan` reads at the snapshot's version: the rows of the main table's
 * groups it scans (only the groups of the located rows when its filter pins the key) plus the
 * joined table's rows (a join indexes all of them). What decides whether a query is worth sending
 * to another thread. A bad plan raises the StateError that running it would.
 */
export function queryRowEstimate(snapshot: Snapshot, plan: QueryPlan): number {
  const r = resolvePlan(snapshot.schema, plan);
  const table = r.main.name;
  const rows = keyRows(snapshot, r);
  const size = snapshot.rowGroupSize(table);
  const main =
    rows === null ? snapshot.count(table) : keyGroups(rows, size, 0, Number.POSITIVE_INFINITY)!.length * size;
  return main + (r.joined === null ? 0 : snapshot.count(r.joined.name));
}

/**
 * Evaluates `plan` on the row groups [groupStart, groupEnd) of its main table (all of them when
 * `part` is omitted) and returns a partial result for `mergePartials`. The plan is checked against
 * the schema first (it may come from another thread); a bad one raises a StateError.
 */
export function executeQuery(snapshot: Snapshot, plan: QueryPlan, part?: GroupRange): QueryPartial {
  const r = resolvePlan(snapshot.schema, plan);
  const ctx = new QueryContext(snapshot, r);
  const table = r.main.name;
  const groups = snapshot.groupCount(table);
  const from = part?.groupStart ?? 0;
  const to = part?.groupEnd ?? groups;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw invalid(`row groups [${String(from)}, ${String(to)}) are not a range of row groups of ${table}`, {
      table,
    });
  }
  // A range past the table's groups (it shrank since it was split) reads what is there.
  let end = Math.min(to, groups);
  let start = Math.min(from, end);
  const size = ctx.groupSize;
  // A filter that pins the key reads only the groups of the rows the locator finds.
  const visit = keyGroups(keyRows(snapshot, r), size, start, end);
  if (visit !== null) {
    start = visit.length === 0 ? start : visit[0]!;
    end = visit.length === 0 ? start : visit[visit.length - 1]! + 1;
  }

  // The chunks of every main-table column the query reads, for this part's groups only.
  const chunks = r.columns.map((c) =>
    c.side === 'main' ? snapshot.chunks(table, c.stored, start, end) : null,
  );
  const lengths = snapshot.chunks(table, firstLeaf(r), start, end);
  const join = buildJoinIndex(snapshot, r);
  const filter = r.where === null ? null : compileFilter(ctx, r.where);
  const inner = r.join?.kind === 'inner';
  const mask = new Uint8Array(size);
  const matched = new Uint8Array(size);
  const views: ChunkView[] = new Array(r.columns.length);

  const consumer = makeConsumer(ctx);
  for (let k = 0, g = start; g < end; g = visit === null ? g + 1 : (visit[++k] ?? end)) {
    const n = lengths[g - start]!.length;
    for (let s = 0; s < views.length; s++) {
      const c = chunks[s];
      if (c !== null && c !== undefined) views[s] = c[g - start]!;
    }
    if (join !== null) gatherChunk(join, views[r.joinOn!.slot]!, n, matched, views);
    // No filter and no inner join: every row is kept, and the consumers skip the mask (null).
    let kept: Uint8Array | null = null;
    if (filter !== null) {
      filter(views, n, mask);
      kept = mask;
    }
    if (inner) {
      if (kept === null) kept = matched;
      else for (let i = 0; i < n; i++) mask[i]! &= matched[i]!;
    }
    if (consumer.consume(views, n, kept, g * size)) break;
  }
  const rowAt = rowReader(snapshot, r, join, r.joinOn === null ? null : chunks[r.joinOn.slot]!, start, size);
  return { version: snapshot.version, columns: r.output.slice(), data: consumer.finish(rowAt) };
}

/** The distinct row groups in [start, end) of the sorted positions `rows`, or null for all of them. */
function keyGroups(rows: number[] | null, size: number, start: number, end: number): number[] | null {
  if (rows === null) return null;
  const out: number[] = [];
  for (const pos of rows) {
    const g = Math.floor(pos / size);
    if (g >= start && g < end && g !== out[out.length - 1]) out.push(g);
  }
  return out;
}

/** What folds the kept rows of each chunk into a part's result. */
interface Consumer {
  /**
   * Folds a chunk whose first row is at `base`, the rows whose `mask` byte is 1 (every row when
   * null); true when the part needs no more rows.
   */
  consume(views: readonly ChunkView[], n: number, mask: Uint8Array | null, base: number): boolean;
  finish(rowAt: (pos: number) => Row): QueryPartial['data'];
}

function makeConsumer(ctx: QueryContext): Consumer {
  const r = ctx.r;
  if (r.grouped) {
    const grouper = new Grouper(ctx);
    return {
      consume(views, n, mask) {
        grouper.consume(views, n, mask);
        return false;
      },
      finish: () => grouper.partial(),
    };
  }
  const limit = r.limit ?? Number.POSITIVE_INFINITY;
  if (r.order.length === 0) {
    // Unordered: the first `limit` matches in storage order, then stop scanning.
    const positions: number[] = [];
    return {
      consume(_views, n, mask, base) {
        if (mask === null) {
          const take = Math.min(n, limit - positions.length);
          for (let i = 0; i < take; i++) positions.push(base + i);
        } else {
          // The limit is checked only on a match: most rows of a selective filter are not.
          for (let i = 0; i < n; i++) {
            if (mask[i] !== 1) continue;
            positions.push(base + i);
            if (positions.length >= limit) break;
          }
        }
        return positions.length >= limit;
      },
      finish: (rowAt): RowsPartial => ({ kind: 'rows', rows: positions.map(rowAt) }),
    };
  }
  const readers = r.order.map((o) => sortKeyReader(ctx, o.column!));
  const slots = r.order.map((o) => o.column!.slot);
  const top = new TopK(
    limit,
    r.order.map((o) => o.desc),
  );
  const keys: SortValue[] = new Array(readers.length).fill(null);
  return {
    consume(views, n, mask, base) {
      for (let k = 0; k < readers.length; k++) readers[k]!.bind(views[slots[k]!]!);
      if (readers.length === 1) {
        const reader = readers[0]!;
        for (let i = 0; i < n; i++) {
          if (mask !== null && mask[i] !== 1) continue;
          const x = reader.at(i);
          if (!top.wantsOne(x, base + i)) continue;
          keys[0] = x;
          top.push(keys, base + i);
        }
        return false;
      }
      for (let i = 0; i < n; i++) {
        if (mask !== null && mask[i] !== 1) continue;
        for (let k = 0; k < readers.length; k++) keys[k] = readers[k]!.at(i);
        if (top.wants(keys, base + i)) top.push(keys, base + i);
      }
      return false;
    },
    finish(rowAt): TopKPartial {
      const kept = top.sorted();
      return {
        kind: 'topk',
        rows: kept.map((c) => rowAt(c.pos)),
        keys: kept.map((c) => c.keys.map((x, k) => readers[k]!.final(x))),
        positions: kept.map((c) => c.pos),
      };
    },
  };
}

/** Makes output rows: the main row's selected columns, and the joined row under the join's alias. */
function rowReader(
  snap: Snapshot,
  r: ResolvedPlan,
  join: JoinIndex | null,
  keyChunks: ChunkView[] | null,
  start: number,
  size: number,
): (pos: number) => Row {
  const table = r.main.name;
  const select = r.selectMain;
  if (join === null || r.selectJoined === null) return (pos) => snap.getAt(table, pos, select);
  const alias = r.join!.as;
  const joined = r.joined!.name;
  const joinedSelect = r.selectJoined;
  return (pos) => {
    const row = snap.getAt(table, pos, select);
    const chunk = keyChunks![Math.floor(pos / size) - start]!;
    const i = pos % size;
    const key = (chunk.values as Int32Array)[i]!;
    const at =
      isValid(chunk.validity, i) && key >= 0 && key < join.positions.length ? join.positions[key]! : -1;
    row[alias] = at < 0 ? null : (snap.getAt(joined, at, joinedSelect) as Row[string]);
    return row;
  };
}

/** A stored column of the main table, to learn each chunk's row count from. */
function firstLeaf(r: ResolvedPlan): string {
  const first = r.main.columns[0]!;
  return first.type === 'struct' ? `${first.name}.${Object.keys(first.fields!)[0]!}` : first.name;
}
