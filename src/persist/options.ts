import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StateError } from '../errors.js';

/** When a submit counts as durable, and how often the log is made durable. */
export type Durability = 'always' | 'interval' | 'none';

/** Options of a runtime with a persistence folder (following the seed's configuration). */
export interface PersistOptions {
  /** The folder (`~` expanded; created 0700). Without it the store lives in memory only. */
  persistPath?: string;
  /** Seconds between checkpoints (default 60). */
  persistIntervalSeconds?: number;
  /** How checkpoints store tables (default `feather`: Arrow IPC files that readers can map). */
  persistFormat?: 'feather' | 'parquet';
  /** Checkpoints kept (default 3). */
  keepCheckpoints?: number;
  /**
   * `always` (default): a submit resolves once its record is on disk (one fdatasync covers every
   * record written before it: group commit). `interval`: the log is synced every
   * `syncIntervalMs`, and `durable` submits wait for that. `none`: never synced by us.
   */
  durability?: Durability;
  /** Milliseconds between syncs under `interval` (default 100). */
  syncIntervalMs?: number;
  /** Keep what precedes damage in the middle of the log instead of refusing to open (reported). */
  repair?: boolean;
  /**
   * A folder for the shared-memory export (docs/interop.md): the newest durable version as Arrow IPC
   * files and `state_metadata.json`, for readers in other processes. Off without it; use
   * `defaultExportRoot(name)` for `/dev/shm/arrow-cluster-state/<name>`.
   */
  exportPath?: string;
  /** Seconds between refreshes of the export (default 10); `refreshExport()` refreshes now. */
  exportIntervalSeconds?: number;
}

/** Every key of PersistOptions: the compiler checks that none is missing. */
const PERSIST_KEYS = {
  persistPath: true,
  persistIntervalSeconds: true,
  persistFormat: true,
  keepCheckpoints: true,
  durability: true,
  syncIntervalMs: true,
  repair: true,
  exportPath: true,
  exportIntervalSeconds: true,
} satisfies Record<keyof PersistOptions, true>;

/** Splits options into the persistence ones and the rest (which go to the store and the writer). */
export function splitPersistOptions<T extends PersistOptions>(
  options: T,
): { persist: PersistOptions; rest: Omit<T, keyof PersistOptions> } {
  const persist: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key in PERSIST_KEYS) persist[key] = value;
    else rest[key] = value;
  }
  return { persist: persist as PersistOptions, rest: rest as Omit<T, keyof PersistOptions> };
}

/** The persistence options resolved, as the writer and the persistence workers use them. */
export interface PersistConfig {
  /** Absolute path of the folder. */
  readonly folder: string;
  /** The write-ahead log's folder, inside it. */
  readonly walFolder: string;
  readonly intervalMs: number;
  readonly format: 'feather' | 'parquet';
  readonly keep: number;
  readonly durability: Durability;
  readonly syncIntervalMs: number;
  readonly repair: boolean;
  readonly exportRoot: string | null;
  readonly exportIntervalMs: number;
}

/** Checks and resolves the options; null without `persistPath`. Creates the folder (0700). */
export function persistConfig(options: PersistOptions): PersistConfig | null {
  if (options.persistPath === undefined) return null;
  const raw = options.persistPath;
  if (typeof raw !== 'string' || raw === '') {
    throw new StateError(
      'INVALID_OPTION',
      `option persistPath must be a folder path, not ${JSON.stringify(raw)}`,
    );
  }
  const folder = resolve(
    raw === '~' ? homedir() : raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : raw,
  );
  const seconds = options.persistIntervalSeconds ?? 60;
  if (!(typeof seconds === 'number' && seconds > 0 && Number.isFinite(seconds))) {
    throw new StateError(
      'INVALID_OPTION',
      `option persistIntervalSeconds must be a positive number, not ${seconds}`,
    );
  }
  const format = options.persistFormat ?? 'feather';
  if (format !== 'feather' && format !== 'parquet') {
    throw new StateError(
      'INVALID_OPTION',
      `option persistFormat must be 'feather' or 'parquet', not ${String(format)}`,
    );
  }
  const keep = options.keepCheckpoints ?? 3;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new StateError(
      'INVALID_OPTION',
      `option keepCheckpoints must be an integer of at least 1, not ${keep}`,
    );
  }
  const durability = options.durability ?? 'always';
  if (durability !== 'always' && durability !== 'interval' && durability !== 'none') {
    throw new StateError(
      'INVALID_OPTION',
      `option durability must be 'always', 'interval' or 'none', not ${String(durability)}`,
    );
  }
  const exportSeconds = options.exportIntervalSeconds ?? 10;
  if (!(typeof exportSeconds === 'number' && exportSeconds > 0 && Number.isFinite(exportSeconds))) {
    throw new StateError(
      'INVALID_OPTION',
      `option exportIntervalSeconds must be a positive number, not ${exportSeconds}`,
    );
  }
  if (
    options.exportPath !== undefined &&
    (typeof options.exportPath !== 'string' || options.exportPath === '')
  ) {
    throw new StateError(
      'INVALID_OPTION',
      `option exportPath must be a folder path, not ${JSON.stringify(options.exportPath)}`,
    );
  }
  const syncIntervalMs = options.syncIntervalMs ?? 100;
  if (!(syncIntervalMs > 0 && Number.isFinite(syncIntervalMs))) {
    throw new StateError(
      'INVALID_OPTION',
      `option syncIntervalMs must be a positive number, not ${syncIntervalMs}`,
    );
  }
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!statSync(folder).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    throw new StateError(
      'PERSIST_IO',
      `cannot use ${folder} as the persistence folder: ${(err as Error).message}`,
    );
  }
  return {
    folder,
    walFolder: join(folder, 'wal'),
    intervalMs: seconds * 1000,
    format,
    keep,
    durability,
    syncIntervalMs,
    repair: options.repair === true,
    exportRoot: options.exportPath === undefined ? null : resolve(options.exportPath),
    exportIntervalMs: exportSeconds * 1000,
  };
}
