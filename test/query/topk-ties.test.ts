import { afterEach, describe, expect, it } from 'vitest';
import {
  eq,
  executeQuery,
  float64,
  int32,
  mergePartials,
  query,
  queryGroupCount,
  runQuery,
  Store,
  schema,
  table,
} from '../../src/index.js';

// Top-k keeps the first rows in (key, storage position) order: equal keys come back in storage
// order, the same whole or merged from any split, and nulls sort last in both directions.
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

function scoreStore(rows: number): Store {
  store = Store.create(
    schema([
      table(
        't',
        { id: int32(), score: int32(), w: float64({ nullable: true }) },
        { key: 'id', rowGroupSize: 16 },
      ),
    ]),
  );
  store.write((tx) => {
    // Scores 0..4 repeat, so every score is a tie of many rows.
    for (let id = 0; id < rows; id++)
      tx.insert('t', { id, score: (id * 7) % 5, w: id % 3 === 0 ? null : id });
  });
  return store;
}

describe('top-k', () => {
  it('breaks ties by storage order', () => {
    scoreStore(200).read((snap) => {
      const plan = query('t').orderBy('score', 'desc').limit(10).select('id').build();
      const ids = runQuery(snap, plan).rows.map((r) => r.id);
      // score 4 holds ids 2, 7, 12, ... ((id * 7) % 5 === 4 when id % 5 === 2).
      expect(ids).toEqual([2, 7, 12, 17, 22, 27, 32, 37, 42, 47]);
    });
  });

  it('merges parts into the same answer for every split', () => {
    scoreStore(300).read((snap) => {
      const plan = query('t')
        .orderBy('score')
        .orderBy('w', 'desc')
        .limit(25)
        .select('id', 'score', 'w')
        .build();
      const whole = runQuery(snap, plan).rows;
      const n = queryGroupCount(snap, plan);
      for (let step = 1; step <= n; step++) {
        const parts = [];
        for (let g = 0; g < n; g += step)
          parts.push(executeQuery(snap, plan, { groupStart: g, groupEnd: g + step }));
        expect(mergePartials(plan, parts).rows).toEqual(whole);
      }
    });
  });

  it('sorts nulls last in both directions', () => {
    scoreStore(9).read((snap) => {
      for (const dir of ['asc', 'desc'] as const) {
        const ws = runQuery(snap, query('t').orderBy('w', dir).select('w').build()).rows.map((r) => r.w);
        expect(ws.slice(-3)).toEqual([null, null, null]);
      }
    });
  });

  it('limits an unordered query to the first matches in storage order', () => {
    scoreStore(100).read((snap) => {
      const ids = runQuery(snap, query('t').where(eq('score', 0)).limit(3).select('id').build()).rows;
      expect(ids).toEqual([{ id: 0 }, { id: 5 }, { id: 10 }]);
      expect(runQuery(snap, query('t').limit(0).build()).rows).toEqual([]);
    });
  });
});
