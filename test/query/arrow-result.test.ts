import { afterEach, describe, expect, it } from 'vitest';
import { cidPool, nodeRow, prng, taskRow } from '../../bench/support/cluster-data.js';
import {
  clusterSchema,
  count,
  max,
  mean,
  query,
  resultToArrow,
  runQuery,
  Store,
  sum,
} from '../../src/index.js';

// resultToArrow gives an apache-arrow Table with the result's rows and typed columns.
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

describe('resultToArrow', () => {
  it('builds a typed table of selected, joined and aggregated rows', () => {
    store = Store.create(clusterSchema);
    const rand = prng(5);
    const pool = cidPool(5);
    store.write((tx) => {
      for (let i = 0; i < 4; i++) tx.insert('nodes', nodeRow(i, rand, 4));
      for (let i = 0; i < 30; i++) tx.insert('tasks', taskRow(i, rand, false, 4, pool));
    });
    store.read((snap) => {
      const rows = runQuery(
        snap,
        query('tasks')
          .join('nodes', 'assigned_node_id', { as: 'node', kind: 'left' })
          .select('task_id', 'submit_time', 'input_cids', 'resources.memory_mb', 'node.role')
          .build(),
      );
      const t = resultToArrow(rows);
      expect(t.numRows).toBe(30);
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'task_id:Utf8',
        'submit_time:Timestamp<MILLISECOND>',
        'input_cids:List<Utf8>',
        'resources:Struct<{memory_mb:Int64}>',
        'node:Struct<{role:Utf8}>',
      ]);
      for (let i = 0; i < 30; i++) {
        const a = t.get(i)!.toJSON();
        const r = rows.rows[i]!;
        expect(a.task_id).toBe(r.task_id);
        expect(a.submit_time).toBe(r.submit_time);
        expect([...(a.input_cids as Iterable<string>)]).toEqual(r.input_cids);
        // memory_mb reads as a number in rows (int64 mode 'number'); the Arrow result is Int64.
        const mem = (r.resources as { memory_mb: number }).memory_mb;
        expect((a.resources as { toJSON(): unknown }).toJSON()).toEqual({ memory_mb: BigInt(mem) });
        expect(a.node === null ? null : (a.node as { toJSON(): unknown }).toJSON()).toEqual(r.node);
      }

      const grouped = runQuery(
        snap,
        query('tasks')
          .groupBy('status')
          .aggregate({
            n: count(),
            mem: sum('resources.memory_mb'),
            p: mean('priority'),
            last: max('submit_time'),
          })
          .build(),
      );
      const g = resultToArrow(grouped);
      expect(g.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'status:Utf8',
        'n:Float64',
        'mem:Int64',
        'p:Float64',
        'last:Timestamp<MILLISECOND>',
      ]);
      expect(g.toArray().map((x) => x.toJSON())).toEqual(grouped.rows);
    });
  });
});
