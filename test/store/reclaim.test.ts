import { describe, expect, it } from 'vitest';
import { bool, float64, int32, int64, type Snapshot, Store, schema, table } from '../../src/index.js';

const ROWS = 10_000;
const SEGMENT = 256 * 1024;
const ROUNDS = 10_000;

function makeStore() {
  const store = Store.create(
    schema([table('t', { id: int32(), a: int32(), b: float64(), c: int64(), d: bool() }, { key: 'id' })]),
    { rowGroupSize: 256, segmentBytes: SEGMENT },
  );
  store.write((tx) => {
    for (let i = 0; i < ROWS; i++) tx.insert('t', { id: i, a: i, b: i / 2, c: i, d: i % 2 === 0 });
  });
  return store;
}

function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s % n;
  };
}

/** A digest of every row of a snapshot, in key order. */
function digest(snap: Snapshot): string {
  const rows: string[] = [];
  for (let i = 0; i < snap.count('t'); i++) {
    const r = snap.getAt('t', i);
    rows.push(`${r.id}:${r.a}:${r.b}:${r.c}:${r.d}`);
  }
  return rows.sort().join('|');
}

type Churn = (store: Store, round: number, next: (n: number) => number, ids: number[]) => void;

const updateChurn: Churn = (store, round, next) => {
  store.write((tx) => {
    for (let k = 0; k < 4; k++) tx.update('t', next(ROWS), { a: round, b: round / 3 });
  });
};

const insertDeleteChurn: Churn = (store, round, next, ids) => {
  store.write((tx) => {
    // Delete a random row and insert a row under a key that is free now, from twice the rows.
    const i = next(ids.length);
    tx.delete('t', ids[i]!);
    let id = next(2 * ROWS);
    while (tx.locate('t', id) >= 0) id = (id + 1) % (2 * ROWS);
    ids[i] = id;
    tx.insert('t', { id, a: round, b: 0, c: round, d: false });
  });
};

/**
 * Runs `rounds` of churn twice; returns the largest arena seen in each half. A bounded arena stops
 * growing: the second half needs no memory the first did not.
 */
function churn(store: Store, fn: Churn): [number, number] {
  const next = rng(7);
  const ids = Array.from({ length: store.read((s) => s.count('t')) }, (_, i) => i);
  const peaks: [number, number] = [0, 0];
  for (let half = 0; half < 2; half++) {
    for (let r = 0; r < ROUNDS; r++) {
      fn(store, r, next, ids);
      peaks[half] = Math.max(peaks[half]!, store.stats().arenaBytes);
    }
  }
  return peaks;
}

describe('reclamation keeps the arena bounded', () => {
  for (const [name, fn, factor] of [
    ['update churn', updateChurn, 2],
    ['insert/delete churn', insertDeleteChurn, 3],
  ] as const) {
    for (const withPin of [false, true]) {
      it(`${name} ${withPin ? 'with' : 'without'} a long-held pin stays under ${factor}x the loaded bytes`, () => {
        const store = makeStore();
        const loaded = store.stats().usedBytes;
        const long = withPin ? store.snapshot() : null;
        const before = long === null ? '' : digest(long);
        const [first, second] = churn(store, fn);
        // Stated ceiling: live data, one copy kept for the long pin, and what waits between scans.
        const ceiling = factor * loaded + 2 * SEGMENT;
        expect(first).toBeLessThanOrEqual(ceiling);
        expect(second).toBeLessThanOrEqual(first);
        if (long !== null) {
          // The long pin's version is still readable, row for row.
          expect(long.count('t')).toBe(ROWS);
          expect(digest(long)).toBe(before);
          long.release();
        }
        store.close();
      });
    }
  }

  it('frees key-locator pages whose keys are all deleted', () => {
    const store = makeStore();
    const base = store.stats().usedBytes;
    // Keys far past the loaded ones land on pages of their own.
    const keys = Array.from({ length: 5000 }, (_, i) => 1_000_000 + i);
    store.write((tx) => {
      for (const id of keys) tx.insert('t', { id, a: 0, b: 0, c: 0, d: true });
    });
    store.write((tx) => {
      for (const id of keys) tx.delete('t', id);
    });
    store.reclaim();
    // Only the locator directory, sized for the highest page, stays larger than before.
    expect(store.stats().usedBytes - base).toBeLessThan(16 * 1024);
    expect(store.read((s) => s.get('t', 1_000_000))).toBeNull();
    store.close();
  });

  it('reuses the memory of a long pin once it is released', () => {
    const store = makeStore();
    const long = store.snapshot();
    const next = rng(3);
    // Rewrite every row so that the pinned version's chunks are all retired.
    store.write((tx) => {
      for (let i = 0; i < ROWS; i++) tx.update('t', i, { a: -i });
    });
    for (let r = 0; r < 100; r++) updateChurn(store, r, next, []);
    store.reclaim();
    const pinned = store.stats();
    expect(pinned.retiredBytes).toBeGreaterThan(100_000);
    long.release();
    const freed = store.reclaim();
    const after = store.stats();
    expect(freed).toBeGreaterThanOrEqual(pinned.retiredBytes - 4096);
    expect(after.freeBytes).toBeGreaterThan(pinned.freeBytes);
    // Another full rewrite fits in the freed blocks: the arena does not grow.
    store.write((tx) => {
      for (let i = 0; i < ROWS; i++) tx.update('t', i, { a: i });
    });
    expect(store.stats().arenaBytes).toBe(after.arenaBytes);
    store.close();
  });
});
