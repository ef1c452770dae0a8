import { afterEach, describe, expect, it } from 'vitest';
import { cidPool, nodeRow, prng, taskRow } from '../../bench/support/cluster-data.js';
import {
  clusterSchema,
  count,
  dictionary,
  eq,
  int16,
  int32,
  query,
  type Row,
  runQuery,
  Store,
  schema,
  sum,
  table,
  uint16,
} from '../../src/index.js';

// The join along the shared `node` domain: tasks.assigned_node_id -> nodes.node_id, checked against
// the same answer worked out with snapshot.get per task.
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

function cluster(nodes: number, tasks: number): Store {
  store = Store.create(clusterSchema, { rowGroupSize: 64 });
  const rand = prng(3);
  const pool = cidPool(10);
  store.write((tx) => {
    // Tasks name nodes 0..nodes+4: the last five are never inserted, so some tasks have no match.
    for (let i = 0; i < nodes; i++) tx.insert('nodes', nodeRow(i, rand, nodes));
    for (let i = 0; i < tasks; i++) tx.insert('tasks', taskRow(i, rand, false, nodes + 5, pool));
  });
  return store;
}

describe('join tasks to their node', () => {
  it('sums task resources by node role (inner join)', () => {
    cluster(20, 600).read((snap) => {
      const plan = query('tasks')
        .join('nodes', 'assigned_node_id', { as: 'node' })
        .groupBy('node.role')
        .aggregate({ tasks: count(), cpu: sum('resources.cpu_cores'), mem: sum('resources.memory_mb') })
        .orderBy('node.role')
        .build();
      const expected = new Map<string, { tasks: number; cpu: number; mem: bigint }>();
      for (let i = 0; i < snap.count('tasks'); i++) {
        const t = snap.getAt('tasks', i);
        const node = t.assigned_node_id === null ? null : snap.get('nodes', t.assigned_node_id as string);
        if (node === null) continue;
        const role = node.role as string;
        const e = expected.get(role) ?? { tasks: 0, cpu: 0, mem: 0n };
        const res = t.resources as Row;
        e.tasks++;
        e.cpu += res.cpu_cores as number;
        // memory_mb reads as a number (int64 mode 'number'); its sum stays an exact bigint.
        e.mem += BigInt(res.memory_mb as number);
        expected.set(role, e);
      }
      const rows = [...expected.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([role, e]) => ({ 'node.role': role, ...e }));
      expect(runQuery(snap, plan).rows).toEqual(rows);
    });
  });

  it('keeps unmatched rows with a null joined row (left join) and filters on joined columns', () => {
    cluster(10, 200).read((snap) => {
      const left = runQuery(
        snap,
        query('tasks')
          .join('nodes', 'assigned_node_id', { as: 'node', kind: 'left' })
          .select('task_id', 'node.role')
          .build(),
      ).rows;
      expect(left).toHaveLength(snap.count('tasks'));
      for (const row of left) {
        const t = snap.get('tasks', row.task_id as string)!;
        const node = t.assigned_node_id === null ? null : snap.get('nodes', t.assigned_node_id as string);
        expect(row.node).toEqual(node === null ? null : { role: node.role });
      }
      const leechers = runQuery(
        snap,
        query('tasks')
          .join('nodes', 'assigned_node_id', { as: 'node' })
          .where(eq('node.role', 'leecher'))
          .select('assigned_node_id')
          .build(),
      ).rows;
      expect(leechers.length).toBeGreaterThan(0);
      for (const row of leechers)
        expect(snap.get('nodes', row.assigned_node_id as string)!.role).toBe('leecher');
    });
  });

  it('gives the whole joined row under the alias when nothing is selected', () => {
    cluster(3, 20).read((snap) => {
      const rows = runQuery(snap, query('tasks').join('nodes', 'assigned_node_id').limit(2).build()).rows;
      for (const row of rows) {
        expect(row.nodes).toEqual(snap.get('nodes', row.assigned_node_id as string));
        expect(row.task_id).toBeTypeOf('string');
      }
    });
  });

  it('joins on integer ids to an integer-keyed table', () => {
    store = Store.create(
      schema([
        table('jobs', { id: int32(), team: int16({ nullable: true }) }, { key: 'id', rowGroupSize: 8 }),
        table('teams', { team_id: uint16(), name: dictionary('team') }, { key: 'team_id', rowGroupSize: 8 }),
      ]),
    );
    store.write((tx) => {
      for (const [team_id, name] of [
        [0, 'ops'],
        [2, 'ml'],
        [5, 'web'],
      ] as const)
        tx.insert('teams', { team_id, name });
      // Teams -1, 3 and 9 do not exist; null has no team.
      [2, 0, -1, 5, null, 3, 2, 9, 5, 0].forEach((team, id) => {
        tx.insert('jobs', { id, team });
      });
    });
    store.read((snap) => {
      const inner = runQuery(
        snap,
        query('jobs').join('teams', 'team', { as: 't' }).select('id', 't.name').build(),
      );
      expect(inner.rows).toEqual([
        { id: 0, t: { name: 'ml' } },
        { id: 1, t: { name: 'ops' } },
        { id: 3, t: { name: 'web' } },
        { id: 6, t: { name: 'ml' } },
        { id: 8, t: { name: 'web' } },
        { id: 9, t: { name: 'ops' } },
      ]);
      const byName = runQuery(
        snap,
        query('jobs')
          .join('teams', 'team', { as: 't', kind: 'left' })
          .groupBy('t.name')
          .aggregate({ n: count() })
          .build(),
      );
      expect(byName.rows).toEqual([
        { 't.name': 'ml', n: 2 },
        { 't.name': 'ops', n: 2 },
        { 't.name': null, n: 4 },
        { 't.name': 'web', n: 2 },
      ]);
    });
  });
});
