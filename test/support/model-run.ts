/**
 * The harness of the model-based store tests: the commands they mix among their write batches
 * (pin, release, reclaim), the loop that runs a command sequence against a store and a model and
 * checks the newest version and every held snapshot after each step, the checks of a refused
 * batch, the counters of what the runs reached, and the fixed-seed property run. A test keeps its
 * model, its batches and its checks of one version.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  type Schema,
  type Snapshot,
  StateError,
  type StateErrorCode,
  Store,
  type StoreOptions,
  type Transaction,
} from '../../src/index.js';

/**
 * Store options that make copy-on-write, segment growth and reclamation happen often, and make a
 * block freed while a snapshot can still see it read as garbage: 8-row groups, 64 KiB segments,
 * a reclamation scan every 3 commits, debug poisoning.
 */
export const CHURN = { rowGroupSize: 8, segmentBytes: 65_536, reclaimInterval: 3, debug: true } as const;

/** The commands every model run mixes among its batches. */
export type SnapshotCmd = { kind: 'pin' } | { kind: 'release'; sel: number } | { kind: 'reclaim' };

/**
 * Command sequences of 1 to `maxLength` commands: batches (weighted `batchWeight`) among pins (2),
 * releases of a held snapshot chosen by `sel` (1) and reclaims (1).
 */
export function commandsArb<B extends { kind: 'batch' }>(
  batch: fc.Arbitrary<B>,
  batchWeight: number,
  sel: fc.Arbitrary<number>,
  maxLength: number,
): fc.Arbitrary<(B | SnapshotCmd)[]> {
  const cmd: fc.Arbitrary<B | SnapshotCmd> = fc.oneof(
    { weight: batchWeight, arbitrary: batch },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('pin' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), sel }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reclaim' as const) }) },
  );
  return fc.array(cmd, { minLength: 1, maxLength, size: 'max' });
}

/** Runs `run` on `numRuns` command sequences from a fixed seed; set FC_SEED to explore others. */
export function checkModel<T>(arb: fc.Arbitrary<T>, run: (cmds: T) => void, numRuns: number): void {
  // A fixed seed keeps each test's checks of its own reach deterministic in CI.
  fc.assert(fc.property(arb, run), { numRuns, seed: Number(process.env.FC_SEED ?? 20261126) });
}

/** What the runs of one test exercised, summed over all of them, so it can check its own reach. */
export class Reach {
  /** Runs that got to the end. */
  runs = 0;
  /** Batches that published a version. */
  commits = 0;
  /** Valid batches that changed nothing, so published no version. */
  noChange = 0;
  /** Refused batches by error code. */
  readonly failed = new Map<StateErrorCode, number>();
  maxRows = 0;
  maxSegments = 0;
  maxHeld = 0;
  reclaimedBytes = 0;
  /** Checks of a held snapshot made after a later commit. */
  heldAcrossCommits = 0;

  /** Checks what every model run must reach; each test checks its own counters besides. */
  expectReached(want: {
    runs: number;
    commits: number;
    failed: readonly StateErrorCode[];
    maxHeld: number;
    heldAcrossCommits: number;
  }): void {
    expect(this.runs).toBe(want.runs);
    expect(this.commits).toBeGreaterThan(want.commits);
    expect([...this.failed.keys()].sort()).toEqual([...want.failed].sort());
    expect(this.maxRows, 'tables span several row groups').toBeGreaterThan(3 * CHURN.rowGroupSize);
    expect(this.maxSegments, 'the arena grew past one segment').toBeGreaterThan(1);
    expect(this.maxHeld).toBeGreaterThan(want.maxHeld);
    expect(this.heldAcrossCommits, 'snapshots were checked after later commits').toBeGreaterThan(
      want.heldAcrossCommits,
    );
    expect(this.reclaimedBytes, 'retired blocks were reclaimed').toBeGreaterThan(0);
  }
}

/**
 * Runs `run`, which must fail with `code`, and checks that it changed nothing a caller can see:
 * no new version, and every block it took went back (a reclamation it set off may free more).
 * Counts the refusal in `reach` and returns the error.
 */
export function expectRefused(
  store: Store,
  reach: Reach,
  run: () => unknown,
  code: StateErrorCode,
  what: string,
): StateError {
  const version = store.version;
  const usedBefore = store.stats().usedBytes;
  let thrown: unknown = null;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `${what}: throws a StateError`).toBeInstanceOf(StateError);
  const err = thrown as StateError;
  expect(err.code, `${what}: ${err.message}`).toBe(code);
  expect(store.version, `${what}: publishes nothing`).toBe(version);
  expect(store.stats().usedBytes, `${what}: frees its blocks`).toBeLessThanOrEqual(usedBefore);
  reach.failed.set(code, (reach.failed.get(code) ?? 0) + 1);
  return err;
}

/** One operation of a batch, made concrete against the model state it runs on. */
export interface Step {
  readonly run: (tx: Transaction) => void;
  /** The code the store must throw at this operation, or null when it is valid. */
  readonly error: StateErrorCode | null;
  /** Whether the operation changes something (an update of no column does not). */
  readonly writes: boolean;
  /** Rows `table` has after the operation (when valid). */
  readonly countAfter: number;
}

/**
 * Runs `steps` in one write: all valid (they commit, publishing a version if any writes) or the
 * last one invalid (the write fails with its code, at that step, and changes nothing). Checks that
 * reads through the transaction see its own writes. Returns the version after it.
 */
export function writeSteps(
  store: Store,
  reach: Reach,
  table: string,
  steps: readonly Step[],
  version: number,
): number {
  const failure = steps.at(-1)!.error;
  let reached = 0;
  const run = () =>
    store.write((tx) => {
      for (const step of steps) {
        reached++;
        step.run(tx);
        expect(tx.count(table)).toBe(step.countAfter);
      }
    });
  if (failure !== null) {
    expectRefused(store, reach, run, failure, 'an invalid batch');
    expect(reached, 'the error comes from the invalid operation').toBe(steps.length);
    return version;
  }
  const v = run();
  if (steps.some((s) => s.writes)) {
    expect(v).toBe(version + 1);
    reach.commits++;
  } else {
    expect(v).toBe(version);
    reach.noChange++;
  }
  return v;
}

/** A snapshot held by a run, with the model of its version and what the test kept at the pin. */
export interface Held<M, K> {
  readonly snap: Snapshot;
  readonly version: number;
  readonly model: M;
  readonly kept: K;
}

/** What a test gives the runner for one run. Models must not change once a batch returned them. */
export interface ModelRun<M, B, K> {
  /** Runs one batch; returns the model and version after it (the same ones if it was refused). */
  batch(cmd: B, model: M, version: number): { model: M; version: number };
  /** Checks that a version shows exactly `model`: the newest one and every held one, after every step. */
  check(snap: Snapshot, model: M, label: string): void;
  /** Further checks of the newest version only. */
  checkNewest?(snap: Snapshot, model: M): void;
  /** What a pin keeps besides the model (checked again when released). */
  hold(snap: Snapshot, model: M): K;
  /** Checks of a held snapshot just before it is released. */
  release?(held: Held<M, K>): void;
  /** Rows of the model's largest table. */
  rows(model: M): number;
  /** Counts the test's own reach after every step. */
  step?(model: M): void;
  /** Checks after the last command, while the snapshots are still held. */
  end?(model: M): void;
}

/**
 * Runs `cmds` against a new store and the test's model (`model`, the new store's; `start` gives
 * what the test does with them), checking after every step that the newest version equals the model and every held snapshot the model of its version.
 * At the end every snapshot is released, and a reclamation with nothing pinned must free every
 * retired block.
 */
export function runModel<M, B extends { kind: 'batch' }, K>(
  cmds: readonly (B | SnapshotCmd)[],
  reach: Reach,
  schema: Schema,
  options: StoreOptions,
  model: M,
  start: (store: Store) => ModelRun<M, B, K>,
): void {
  const store = Store.create(schema, options);
  const held: Held<M, K>[] = [];
  try {
    const run = start(store);
    const release = (h: Held<M, K>) => {
      run.release?.(h);
      h.snap.release();
      expect(h.snap.released).toBe(true);
    };
    let version = store.version;
    for (const cmd of cmds) {
      switch (cmd.kind) {
        case 'batch':
          ({ model, version } = run.batch(cmd as B, model, version));
          expect(store.version).toBe(version);
          break;
        case 'pin': {
          const snap = store.snapshot();
          expect(snap.version).toBe(version);
          held.push({ snap, version, model, kept: run.hold(snap, model) });
          reach.maxHeld = Math.max(reach.maxHeld, held.length);
          break;
        }
        case 'release':
          if (held.length > 0) release(held.splice(cmd.sel % held.length, 1)[0]!);
          break;
        case 'reclaim':
          reach.reclaimedBytes += store.reclaim();
          break;
      }
      store.read((s) => {
        expect(s.version).toBe(version);
        run.check(s, model, `newest v${version}`);
        run.checkNewest?.(s, model);
      });
      for (const h of held) {
        expect(h.snap.version).toBe(h.version);
        run.check(h.snap, h.model, `pinned v${h.version} at v${version}`);
        if (h.version !== version) reach.heldAcrossCommits++;
      }
      reach.maxRows = Math.max(reach.maxRows, run.rows(model));
      reach.maxSegments = Math.max(reach.maxSegments, store.stats().segments);
      run.step?.(model);
    }
    run.end?.(model);
    for (const h of held.splice(0)) release(h);
    // With nothing pinned, a reclamation frees every retired block.
    reach.reclaimedBytes += store.reclaim();
    const stats = store.stats();
    expect(stats.pins).toEqual([]);
    expect(stats.retiredBytes).toBe(0);
    reach.runs++;
  } finally {
    for (const h of held) h.snap.release();
    store.close();
  }
}
