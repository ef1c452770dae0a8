/**
 * The race that PinTable.pin's second version load exists for, made to happen every time: a test
 * hook runs the writer (commits, then a reclamation scan) inside a pin attempt, between its first
 * version load and its slot store, or between the slot store and the ring read. Debug mode poisons
 * freed blocks, so a pin that kept a version whose blocks were freed, or whose ring entry was
 * rewritten, reads garbage instead of its version.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { int32, type Snapshot, Store, schema, table } from '../../src/index.js';
import { type PinRaceStage, setPinRaceHook } from '../../src/memory/slots.js';

const ROWS = 3;
/** Entries of the root ring (createControl(16, ...) in Store.create). */
const RING = 16;

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

afterEach(() => setPinRaceHook(null));

/** Sets every row's `v` to the version being written: a consistent version reads its own number. */
function commit(store: Store): number {
  return store.write((tx) => {
    for (let id = 0; id < ROWS; id++) {
      if (tx.locate('t', id) < 0) tx.insert('t', { id, v: tx.version });
      else tx.update('t', id, { v: tx.version });
    }
  });
}

/** What `snap` reads: its row count, every row's `v`, and its commit time. */
function contents(snap: Snapshot) {
  return {
    count: snap.count('t'),
    v: Array.from({ length: ROWS }, (_, id) => snap.get('t', id)?.v),
    committedAt: snap.committedAt,
  };
}

function expectConsistent(snap: Snapshot, since: number): void {
  const read = contents(snap);
  expect(read.count).toBe(ROWS);
  expect(read.v).toEqual(Array(ROWS).fill(snap.version));
  expect(read.committedAt).toBeGreaterThanOrEqual(since);
  expect(read.committedAt).toBeLessThanOrEqual(Date.now());
}

/**
 * Pins with the writer running `commits` commits and a reclamation at `stage` of the first pin
 * attempt, then checks the pin reads a whole, live version, also after later commits are reclaimed.
 */
function raceOnce(stage: PinRaceStage, commits: number): void {
  const store = Store.create(s, { debug: true, reclaimInterval: 1_000 });
  const since = Date.now();
  try {
    commit(store);
    let raced = -1;
    setPinRaceHook((at, version) => {
      if (at !== stage || raced >= 0) return;
      raced = version;
      for (let k = 0; k < commits; k++) commit(store);
      store.reclaim();
    });
    const snap = store.snapshot();
    setPinRaceHook(null);
    expect(raced, 'the hook ran inside the pin').toBeGreaterThan(0);
    expect(store.version).toBe(raced + commits);
    expectConsistent(snap, since);
    // The writer moved on before the pin was safe: the pin must have taken the newest version.
    expect(snap.version).toBe(store.version);
    // And the version it pins survives later commits and reclamation.
    for (let k = 0; k < RING + 4; k++) commit(store);
    store.reclaim();
    expectConsistent(snap, since);
    snap.release();
  } finally {
    store.close();
  }
}

describe('a pin raced by the writer', () => {
  it('retries when a commit and a reclamation run between its version load and its slot store', () => {
    raceOnce('loaded', 1);
  });

  it('retries when the ring wraps between its slot store and its ring read', () => {
    raceOnce('stored', RING + 1);
  });

  it('retries when the ring wraps before its slot store', () => {
    raceOnce('loaded', RING + 1);
  });

  it('is seen by a reclamation scan that runs after its slot store', () => {
    const store = Store.create(s, { debug: true, reclaimInterval: 1_000 });
    try {
      commit(store);
      let seen: number[] = [];
      let kept = 0;
      setPinRaceHook((at, version) => {
        if (at !== 'stored' || seen.length > 0) return;
        commit(store);
        store.reclaim();
        seen = store.stats().pins.map((p) => p.version);
        kept = store.stats().retiredBytes;
        expect(seen).toContain(version);
      });
      const snap = store.snapshot();
      setPinRaceHook(null);
      expect(seen.length, 'the hook ran inside the pin').toBe(1);
      // The scan kept what the slot's version sees: the blocks that the commit replaced.
      expect(kept).toBeGreaterThan(0);
      expectConsistent(snap, 0);
      snap.release();
    } finally {
      store.close();
    }
  });
});
