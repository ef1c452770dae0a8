// A small cluster state written by hand, live (a Store) and in a persistence folder (the same
// writes through an inline StateRuntime, closed): every helper test reads both and expects the
// same hand-computed answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  clearStateFolderCache,
  clusterSchema,
  StateRuntime,
  type StateSource,
  Store,
} from '../../../src/index.js';
import type { Transaction } from '../../../src/store/transaction.js';

export const GIB = 2 ** 30;
export const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z

interface NodeSpec {
  role: string;
  status: string;
  cpu: number;
  usage: number;
  mem: [number, number]; // total, available (GiB)
  disk: [number, number]; // total, free (GiB)
  gpu: number;
  gpuFree: boolean;
  caps: string[];
  peers: string[];
  tasks?: number;
}

function node(id: string, n: NodeSpec) {
  return {
    node_id: id,
    peer_id: `peer-${id}`,
    role: n.role,
    address: `10.0.0.${id.slice(1)}:4001`,
    status: n.status,
    last_heartbeat: T,
    resources: {
      cpu_count: n.cpu,
      cpu_usage: n.usage,
      memory_total: n.mem[0] * GIB,
      memory_available: n.mem[1] * GIB,
      disk_total: n.disk[0] * GIB,
      disk_free: n.disk[1] * GIB,
      gpu_count: n.gpu,
      gpu_available: n.gpuFree,
    },
    capabilities: n.caps,
    peers: n.peers,
    tasks_assigned: n.tasks ?? 0,
  };
}

const n3: NodeSpec = {
  role: 'worker',
  status: 'online',
  cpu: 8,
  usage: 20,
  mem: [16, 12],
  disk: [100, 25],
  gpu: 0,
  gpuFree: false,
  caps: ['cpu'],
  peers: ['n1', 'n9'],
};

/** Storage order n1, n2, n3, n4, n5, n0 (n0 ties n3's score and wins by its smaller id). */
export const NODES = [
  node('n1', {
    role: 'master',
    status: 'online',
    cpu: 8,
    usage: 10,
    mem: [16, 8],
    disk: [100, 50],
    gpu: 0,
    gpuFree: false,
    caps: ['cpu'],
    peers: ['n2', 'n3'],
  }),
  node('n2', {
    role: 'worker',
    status: 'online',
    cpu: 16,
    usage: 50,
    mem: [32, 16],
    disk: [200, 150],
    gpu: 4,
    gpuFree: true,
    caps: ['cpu', 'gpu'],
    peers: ['n1', 'n3'],
    tasks: 2,
  }),
  node('n3', n3),
  node('n4', {
    role: 'worker',
    status: 'offline',
    cpu: 32,
    usage: 0,
    mem: [64, 64],
    disk: [100, 100],
    gpu: 2,
    gpuFree: false,
    caps: ['cpu', 'gpu'],
    peers: ['n4'],
  }),
  node('n5', {
    role: 'leecher',
    status: 'online',
    cpu: 4,
    usage: 0,
    mem: [8, 8],
    disk: [100, 100],
    gpu: 1,
    gpuFree: true,
    caps: ['cpu', 'gpu'],
    peers: [],
  }),
  node('n0', { ...n3, peers: [] }),
];

function task(
  id: string,
  type: string,
  status: string,
  o: {
    node?: string;
    start?: number;
    end?: number;
    result?: string;
    error?: string;
    res?: [number, number, number];
    inputs?: string[];
  } = {},
) {
  const [cpu_cores, gpu_cores, memory_mb] = o.res ?? [1, 0, 256];
  return {
    task_id: id,
    task_type: type,
    status,
    parameters: null,
    priority: 0,
    assigned_node_id: o.node ?? null,
    submit_time: T,
    start_time: o.start === undefined ? null : T + o.start,
    end_time: o.end === undefined ? null : T + o.end,
    result_cid: o.result ?? null,
    error_message: o.error ?? null,
    resources: { cpu_cores, gpu_cores, memory_mb },
    input_cids: o.inputs ?? [],
  };
}

export const TASKS = [
  task('t1', 'inference', 'completed', {
    node: 'n2',
    start: 1000,
    end: 11_000,
    result: 'cidA',
    inputs: ['cidB'],
  }),
  task('t2', 'inference', 'completed', { node: 'n3', start: 2000, end: 32_000, result: 'cidC' }),
  task('t3', 'inference', 'running', { node: 'n2', start: 50_000, res: [2, 1, 512] }),
  task('t4', 'training', 'failed', { node: 'n3', start: 1000, end: 5000, error: 'boom', result: 'cidG' }),
  task('t5', 'training', 'pending', { res: [4, 0, 1024] }),
  task('t6', 'inference', 'pending', { res: [4, 1, 1024] }),
  task('t7', 'inference', 'assigned', { node: 'n2', res: [1, 2, 256] }),
  task('t8', 'render', 'cancelled', { inputs: ['cidH'] }),
  task('t9', 'inference', 'pending', { res: [1, 0, 20_000] }),
  task('t10', 'training', 'completed', { node: 'n3', end: 9000 }),
];

const content = (cid: string, size: number, providers: string[]) => ({
  cid,
  size,
  providers,
  pin_status: 'pinned',
  replication_factor: 1,
  last_access_time: T + 5000,
  pinned_at: null,
});

export const CONTENT = [
  content('cidA', GIB, ['n2']),
  content('cidB', 2 * GIB, ['n2', 'n3']),
  content('cidC', GIB / 2, []),
  content('cidE', GIB, ['n3']),
  content('cidG', 0, ['n5']),
  content('cidH', GIB, ['n1']),
];

export const META = { cluster_id: 'cluster-1', master_id: 'n1', updated_at: T + 60_000, state_version: 7 };

/** The writes of the whole fixture, in one transaction. */
export function fill(tx: Transaction): void {
  for (const n of NODES) tx.insert('nodes', n);
  for (const t of TASKS) tx.insert('tasks', t);
  for (const c of CONTENT) tx.insert('content', c);
  for (const [k, v] of Object.entries(META)) tx.setMeta(k, v);
}

/** The fixture as a live store. */
export function liveStore(): Store {
  const store = Store.create(clusterSchema);
  store.write(fill);
  return store;
}

/** A new temporary folder (removed by `removeFolders`). */
const made: string[] = [];
export function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'acs-helpers-'));
  made.push(dir);
  return dir;
}

/** The fixture in a persistence folder: written through an inline runtime, then closed. */
export async function stateFolder(write: (tx: Transaction) => void = fill): Promise<string> {
  const persistPath = tempFolder();
  const rt = await StateRuntime.start(clusterSchema, { persistPath, writer: 'inline' });
  rt.write(write);
  await rt.close();
  return persistPath;
}

/** Removes the temporary folders and empties the helpers' folder cache. */
export function removeFolders(): void {
  clearStateFolderCache();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The sources of one test file: built before its tests (a live store and its folder), closed and
 * removed after them. The object is filled in by the file's `beforeAll`.
 */
export function sourcesOfFile(): { live: Store; folder: string } {
  const sources = {} as { live: Store; folder: string };
  beforeAll(async () => {
    Object.assign(sources, await bothSources());
  });
  afterAll(() => {
    sources.live.close();
    removeFolders();
  });
  return sources;
}

/** Both sources of the fixture, for `describe.each`-style loops: a live store and its folder. */
export async function bothSources(): Promise<{ live: Store; folder: string }> {
  return { live: liveStore(), folder: await stateFolder() };
}

/**
 * Runs a helper on the live store and on the folder (and on a snapshot the caller holds), expects
 * the three answers to be equal, and returns the live one.
 */
export async function onBoth<T>(
  sources: { live: Store; folder: string },
  fn: (source: StateSource) => Promise<T>,
): Promise<T> {
  const live = await fn(sources.live);
  expect(await fn(sources.folder)).toEqual(live);
  const snap = sources.live.snapshot();
  try {
    expect(await fn(snap)).toEqual(live);
    expect(snap.released).toBe(false);
  } finally {
    snap.release();
  }
  return live;
}
