import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterSchema,
  contains,
  eq,
  executeQuery,
  gt,
  mean,
  mergePartials,
  type QueryPlan,
  query,
  runQuery,
  StateError,
  Store,
  sum,
} from '../../src/index.js';

// A bad plan fails when it is executed, with a StateError whose code is stable and whose message
// names the table, the column and what was wrong.
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

function expectError(plan: QueryPlan, code: string, ...words: string[]): void {
  store ??= Store.create(clusterSchema);
  store.read((snap) => {
    let error: unknown;
    try {
      runQuery(snap, plan);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe(code);
    for (const w of words) expect((error as StateError).message).toContain(w);
  });
}

describe('query errors', () => {
  it('names unknown tables and columns', () => {
    expectError(query('jobs').build(), 'UNKNOWN_TABLE', 'jobs');
    expectError(query('tasks').where(eq('colour', 'red')).build(), 'UNKNOWN_COLUMN', 'colour', 'tasks');
    expectError(query('tasks').select('resources.gpu').build(), 'UNKNOWN_COLUMN', 'resources.gpu');
    expectError(
      query('tasks').join('nodes', 'assigned_node_id', { as: 'n' }).groupBy('n.colour').build(),
      'UNKNOWN_COLUMN',
      'colour',
      'nodes',
    );
  });

  it('refuses comparing a column with a literal of another type', () => {
    expectError(
      query('tasks').where(eq('status', 3)).build(),
      'INVALID_QUERY',
      'status',
      'tasks',
      'a string',
    );
    expectError(
      query('tasks').where(gt('priority', 'high')).build(),
      'INVALID_QUERY',
      'priority',
      'a number',
    );
    expectError(query('tasks').where(eq('input_cids', 'x')).build(), 'INVALID_QUERY', 'input_cids');
    expectError(query('tasks').where(contains('status', 'x')).build(), 'INVALID_QUERY', 'contains', 'status');
    expectError(query('tasks').where(eq('resources', 1)).build(), 'INVALID_QUERY', 'resources');
  });

  it('refuses aggregates and keys the column cannot take', () => {
    expectError(
      query('tasks')
        .aggregate({ s: sum('status') })
        .build(),
      'INVALID_QUERY',
      'sum',
      'status',
    );
    expectError(
      query('tasks')
        .aggregate({ m: mean('submit_time') })
        .build(),
      'INVALID_QUERY',
      'mean',
      'submit_time',
    );
    expectError(query('tasks').groupBy('input_cids').build(), 'INVALID_QUERY', 'input_cids');
    expectError(
      query('tasks').groupBy('status').aggregate({}).orderBy('priority').build(),
      'INVALID_QUERY',
      'priority',
    );
    expectError(query('tasks').groupBy('status').select('task_id').build(), 'INVALID_QUERY', 'select');
  });

  it('refuses malformed plans from another thread', () => {
    const good = query('tasks').build();
    expectError({ ...good, v: 2 } as unknown as QueryPlan, 'INVALID_QUERY', 'v: 1');
    expectError({ ...good, limit: -1 }, 'INVALID_QUERY', 'limit');
    expectError(
      { ...good, where: { op: 'like', column: 'status' } } as unknown as QueryPlan,
      'INVALID_QUERY',
      'like',
    );
    expectError(query('tasks').join('nodes', 'task_type').build(), 'INVALID_QUERY', 'task_type', 'node');
    expectError(
      query('tasks').join('nodes', 'assigned_node_id', { as: 'status' }).build(),
      'INVALID_QUERY',
      'status',
    );
  });

  it('refuses merging no parts, or parts of different versions', () => {
    store = Store.create(clusterSchema);
    const plan = query('tasks').build();
    expect(() => mergePartials(plan, [])).toThrowError(expect.objectContaining({ code: 'INVALID_QUERY' }));
    const first = store.read((snap) => executeQuery(snap, plan));
    store.write((tx) => tx.setMeta('k', 1));
    const second = store.read((snap) => executeQuery(snap, plan));
    expect(() => mergePartials(plan, [first, second])).toThrowError(/different versions/);
  });

  it('refuses a bad row-group range', () => {
    store = Store.create(clusterSchema);
    store.read((snap) => {
      expect(() => executeQuery(snap, query('tasks').build(), { groupStart: 2, groupEnd: 1 })).toThrowError(
        expect.objectContaining({ code: 'INVALID_QUERY' }),
      );
    });
  });
});
