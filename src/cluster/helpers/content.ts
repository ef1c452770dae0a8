import { contains, query, runQuery } from '../../query/index.js';
import type { Row } from '../../store/values.js';
import { allRows, rowsWhere } from './rows.js';
import { columns } from './scan.js';
import { type StateSource, withSnapshot } from './source.js';

/** Every content row, in storage order. */
export function getAllContent(source: StateSource): Promise<Row[]> {
  return withSnapshot(source, (s) => allRows(s, 'content'));
}

/** The content row of `cid`, or null. */
export function findContentByCid(source: StateSource, cid: string): Promise<Row | null> {
  return withSnapshot(source, (s) => s.get('content', cid));
}

/** Content that `nodeId` provides. */
export function findContentByProvider(source: StateSource, nodeId: string): Promise<Row[]> {
  return withSnapshot(source, (s) => rowsWhere(s, 'content', contains('providers', nodeId)));
}

/** `{ cid: providers }` for every content row. */
export function getContentAvailabilityMap(source: StateSource): Promise<Record<string, string[]>> {
  return withSnapshot(source, (s) => {
    const { rows } = runQuery(s, query('content').select('cid', 'providers').build());
    const out: Record<string, string[]> = {};
    for (const r of rows) out[r.cid as string] = [...(r.providers as string[])];
    return out;
  });
}

/**
 * Content that no task references: in no task's input_cids, and the result_cid of no completed
 * task. One pass over the tasks' raw arrays marks the cid codes they reference (the cid domain is
 * shared by the three columns); the content rows whose code is unmarked are returned.
 */
export function findOrphanedContent(source: StateSource): Promise<Row[]> {
  return withSnapshot(source, (s) => {
    if (s.count('content') === 0) return [];
    const used = new Uint8Array(s.domainSize('cid'));
    const completed = s.codeOf('task_status', 'completed');
    const [status, result, inputs] = columns(s, 'tasks', ['status', 'result_cid', 'input_cids']);
    for (let g = 0; g < status!.length; g++) {
      const list = inputs![g]!;
      const items = list.values;
      const offsets = list.offsets!;
      for (let k = offsets[0]!; k < offsets[list.length]!; k++) used[items[k] as number] = 1;
      if (completed < 0) continue;
      const st = status![g]!.values;
      const r = result![g]!;
      const codes = r.values;
      const validity = r.validity;
      for (let i = 0; i < r.length; i++) {
        if (st[i] !== completed) continue;
        if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) continue;
        used[codes[i] as number] = 1;
      }
    }
    const out: Row[] = [];
    const cids = s.chunks('content', 'cid');
    const groupSize = s.rowGroupSize('content');
    for (let g = 0; g < cids.length; g++) {
      const codes = cids[g]!.values;
      for (let i = 0; i < cids[g]!.length; i++) {
        if (used[codes[i] as number] === 0) out.push(s.getAt('content', g * groupSize + i));
      }
    }
    return out;
  });
}
