// Shared by the cluster facade tests: a state in a temporary folder with a controlled clock, and
// running the same checks on the live state and on the state reopened from its folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { ClusterState, type ClusterStateOptions, StateError } from '../../src/index.js';

export const T0 = 1_700_000_000_000;

/** A clock the test moves: `clock.now` is what the facade reads. */
export interface TestClock {
  now: number;
  (): number;
}

export function testClock(start = T0): TestClock {
  const f = (() => f.now) as TestClock;
  f.now = start;
  return f;
}

export function tempFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'acs-cluster-'));
}

export function removeFolder(dir: string): void {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
}

export type Options = Partial<ClusterStateOptions>;

/** Opens the state of `dir` (inline writer, no reader pool, unsynced log: close still syncs). */
export function openIn(dir: string, clock: TestClock, options: Options = {}): Promise<ClusterState> {
  return ClusterState.open({
    clusterId: 'cluster-1',
    nodeId: 'master-1',
    persistPath: dir,
    durability: 'none',
    writer: 'inline',
    readers: 0,
    clock,
    ...options,
  });
}

/**
 * Builds a state with `setup`, runs `check` on it live, closes it, opens the folder again and runs
 * `check` on the recovered state: both must pass.
 */
export async function liveAndReopened(
  setup: (state: ClusterState, clock: TestClock) => Promise<void>,
  check: (state: ClusterState, clock: TestClock, phase: 'live' | 'reopened') => Promise<void>,
  options: Options = {},
): Promise<void> {
  const dir = tempFolder();
  const clock = testClock();
  try {
    const state = await openIn(dir, clock, options);
    try {
      await setup(state, clock);
      await check(state, clock, 'live');
    } finally {
      await state.close();
    }
    const again = await openIn(dir, clock, options);
    try {
      await check(again, clock, 'reopened');
    } finally {
      await again.close();
    }
  } finally {
    removeFolder(dir);
  }
}

/** Expects `p` to reject with a StateError of `code` (and details matching `details`). */
export async function rejects(
  p: Promise<unknown>,
  code: string,
  details?: Record<string, unknown>,
): Promise<StateError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StateError);
  expect((e as StateError).code).toBe(code);
  if (details !== undefined) expect((e as StateError).details).toMatchObject(details);
  return e as StateError;
}

/** A worker node with the resources the tests compute with. */
export const WORKER = {
  node_id: 'n1',
  peer_id: 'peer-1',
  role: 'worker',
  address: '10.0.0.1:4001',
  resources: {
    cpu_count: 8,
    cpu_usage: 25,
    memory_total: 2 ** 34,
    memory_available: 2 ** 33,
    disk_total: 2 ** 40,
    disk_free: 2 ** 39,
    gpu_count: 2,
    gpu_available: true,
  },
  capabilities: ['gpu', 'storage'],
  peers: ['n2'],
} as const;

/** Node n's tasks_assigned. */
export async function assignedCount(state: ClusterState, nodeId: string): Promise<number> {
  return (await state.getNodeInfo(nodeId))!.tasks_assigned as number;
}
