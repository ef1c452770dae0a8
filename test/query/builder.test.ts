import { describe, expect, it } from 'vitest';
import { and, between, contains, count, eq, isIn, isNull, mean, not, or, query } from '../../src/index.js';

// A plan is plain data: it survives a structured clone unchanged, and builders are immutable.
describe('query builder', () => {
  it('builds structured-clonable plain data', () => {
    const plan = query('tasks')
      .where(and(eq('status', 'pending'), or(isNull('assigned_node_id'), not(isIn('priority', [1, 2])))))
      .where(between('submit_time', 0, 10))
      .where(contains('input_cids', 'bafy'))
      .join('nodes', 'assigned_node_id', { as: 'node', kind: 'left' })
      .groupBy('status', 'node.role')
      .aggregate({ n: count(), p: mean('priority') })
      .orderBy('n', 'desc')
      .limit(5)
      .build();
    expect(structuredClone(plan)).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.where).toEqual({
      op: 'and',
      args: [
        {
          op: 'and',
          args: [
            {
              op: 'and',
              args: [
                { op: 'eq', column: 'status', value: 'pending' },
                {
                  op: 'or',
                  args: [
                    { op: 'isNull', column: 'assigned_node_id' },
                    { op: 'not', arg: { op: 'in', column: 'priority', values: [1, 2] } },
                  ],
                },
              ],
            },
            { op: 'between', column: 'submit_time', low: 0, high: 10 },
          ],
        },
        { op: 'contains', column: 'input_cids', value: 'bafy' },
      ],
    });
    expect(plan.join).toEqual({ table: 'nodes', on: 'assigned_node_id', as: 'node', kind: 'left' });
  });

  it('does not change a builder it extends', () => {
    const base = query('tasks').where(eq('status', 'pending'));
    const a = base.limit(1).build();
    const b = base.orderBy('priority', 'desc').build();
    expect(base.build().limit).toBeNull();
    expect(a.orderBy).toEqual([]);
    expect(b.limit).toBeNull();
  });
});
