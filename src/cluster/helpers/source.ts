import { existsSync, readdirSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StateError } from '../../errors.js';
import { readFolder } from '../../persist/read-folder.js';
import { Snapshot } from '../../store/snapshot.js';
import type { Store } from '../../store/store.js';
import { clusterSchema } from '../schema.js';

/** Anything that gives a pinned snapshot of the live state: the ClusterState facade, a StateRuntime, a Store. */
export interface LiveSource {
  snapshot(): Snapshot;
}

/**
 * What every helper reads first: a state folder's path (opened read-only, newest state, cached while
 * the folder is unchanged), a live source (one pinned snapshot per call, released after), or a
 * snapshot the caller holds (read as is, never released by a helper).
 */
export type StateSource = string | LiveSource | Snapshot;

/** The seed's metadata file; a folder holding it (or our manifest.json, or a log) holds state. */
const SEED_METADATA = 'state_metadata.json';

/** Whether `dir` holds a cluster state: manifest.json, the seed's state_metadata.json, or a write-ahead log. */
export function holdsState(dir: string): boolean {
  if (existsSync(join(dir, 'manifest.json')) || existsSync(join(dir, SEED_METADATA))) return true;
  try {
    return readdirSync(join(dir, 'wal')).length > 0;
  } catch {
    return false;
  }
}

/**
 * The first folder that holds a state among: `baseDir` itself, its `cluster_state` and
 * `.ipfs_cluster_state` subfolders, `~/.ipfs/cluster_state`, `~/.ipfs_cluster_state`,
 * `/var/lib/ipfs/cluster_state`; null when none does. `options.home` replaces the home folder and
 * `options.system` the last entry (for tests).
 */
export async function getStatePathFromMetadata(
  baseDir?: string,
  options: { home?: string; system?: readonly string[] } = {},
): Promise<string | null> {
  const home = options.home ?? homedir();
  const candidates: string[] = [];
  if (baseDir !== undefined) {
    const base = resolve(baseDir);
    candidates.push(base, join(base, 'cluster_state'), join(base, '.ipfs_cluster_state'));
  }
  candidates.push(join(home, '.ipfs', 'cluster_state'), join(home, '.ipfs_cluster_state'));
  candidates.push(...(options.system ?? ['/var/lib/ipfs/cluster_state']));
  for (const dir of candidates) if (holdsState(dir)) return dir;
  return null;
}

/** The folder of a string source: the path itself or its `cluster_state` / `.ipfs_cluster_state` subfolder. */
function stateFolder(path: string): string {
  const base = resolve(path);
  for (const dir of [base, join(base, 'cluster_state'), join(base, '.ipfs_cluster_state')]) {
    if (holdsState(dir)) return dir;
  }
  throw new StateError(
    'PERSIST_IO',
    `${base} holds no cluster state (no manifest.json, state_metadata.json or wal/)`,
    {
      value: path,
    },
  );
}

interface CachedFolder {
  readonly stamp: string;
  readonly store: Store;
}

const folders = new Map<string, CachedFolder>();
let loads = 0;

const statStamp = (s: Stats | undefined) => (s === undefined ? '-' : `${s.ino}:${s.size}:${s.mtimeMs}`);

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * What says whether a folder changed: manifest.json and state_metadata.json (inode, size, mtime;
 * a checkpoint replaces the manifest), the log's segment names and the newest segment's size and
 * mtime (every record appends there). A few stat calls: the cost of a cached call.
 */
function folderStamp(dir: string): string {
  let wal = '-';
  try {
    const segments = readdirSync(join(dir, 'wal')).sort();
    const last = segments.at(-1);
    wal = `${segments.length}:${segments[0] ?? ''}:${last ?? ''}:${last === undefined ? '' : statStamp(statOrUndefined(join(dir, 'wal', last)))}`;
  } catch {
    // no log
  }
  return `${statStamp(statOrUndefined(join(dir, 'manifest.json')))}|${statStamp(statOrUndefined(join(dir, SEED_METADATA)))}|${wal}`;
}

/** The store of a folder's newest state: the cached one while the folder is unchanged, else read again. */
function folderStore(path: string): { folder: string; store: Store } {
  const dir = stateFolder(path);
  const stamp = folderStamp(dir);
  const cached = folders.get(dir);
  if (cached !== undefined && cached.stamp === stamp) return { folder: dir, store: cached.store };
  const { store, recovery } = readFolder(dir, clusterSchema, {
    maxBytes: 16 * 2 ** 30,
    recordEffects: false,
  });
  loads++;
  if (recovery.checkpoint === null && recovery.replayed === 0) {
    // Nothing this code reads (a seed's folder with only state_metadata.json, an empty log).
    store.close();
    throw new StateError(
      'PERSIST_IO',
      `${dir} holds no checkpoint and no log record to read a cluster state from`,
      {
        value: path,
      },
    );
  }
  // Snapshots of the old store are all released (each call releases its own before resolving).
  cached?.store.close();
  folders.set(dir, { stamp, store });
  return { folder: dir, store };
}

/** How many times a folder's state was read from disk (the cache's misses), for tests and benchmarks. */
export function folderLoads(): number {
  return loads;
}

/** Closes every cached folder state (their memory is given back); the next call reads from disk. */
export function clearStateFolderCache(): void {
  for (const f of folders.values()) f.store.close();
  folders.clear();
}

/** The resolved state folder of a string source, and its store (cached). */
export function openStateFolder(path: string): { folder: string; store: Store } {
  return folderStore(path);
}

/**
 * Runs `fn` on one pinned snapshot of `source` and releases it (a caller's snapshot is read as is).
 * `fn` must copy out whatever it returns: views of the snapshot die with it.
 */
export async function withSnapshot<T>(source: StateSource, fn: (snap: Snapshot) => T): Promise<T> {
  if (source instanceof Snapshot) return fn(source);
  let snap: Snapshot;
  if (typeof source === 'string') snap = folderStore(source).store.snapshot();
  else if (source !== null && typeof source === 'object' && typeof source.snapshot === 'function') {
    snap = source.snapshot();
  } else {
    throw new StateError(
      'TYPE_MISMATCH',
      'a state source is a folder path, an object with snapshot() (ClusterState, StateRuntime, Store) or a Snapshot',
      { value: source },
    );
  }
  try {
    return fn(snap);
  } finally {
    snap.release();
  }
}
