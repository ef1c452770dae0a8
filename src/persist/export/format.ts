import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from '../../errors.js';
import type { Schema } from '../../schema/schema.js';
import type { MetaMap } from '../../store/meta.js';

/*
 * The layout of a shared-memory export: what an outside reader (another process, another
 * language) finds in an export root.
 *
 *   <root>/state_metadata.json                  the newest exported version; replaced atomically
 *   <root>/v-<16-digit version>[-<n>]/<table>.arrow
 *                                               one Arrow IPC file (uncompressed) per table
 *
 * A reader reads `state_metadata.json` first and then only the files it names.
 */

/** The export format this code writes and the newest it reads. */
export const EXPORT_FORMAT = 1;

/** Name of the metadata file in an export root. */
export const EXPORT_METADATA = 'state_metadata.json';

/** Mode of every file an export writes. */
export const EXPORT_FILE_MODE = 0o600;
/** Mode of every folder an export creates. */
export const EXPORT_DIR_MODE = 0o700;

/** Version folders: `v-` and the version as 16 digits, then `-<n>` when that name was taken. */
const VERSION_DIR = /^v-\d{16}(-\d+)?$/;

/** The folder name of an export of `version` (`v-0000000000000042`), before any `-<n>` suffix. */
export function exportDirName(version: number): string {
  return `v-${String(version).padStart(16, '0')}`;
}

/** Whether `name` is a version folder of an export root. */
export function isExportDirName(name: string): boolean {
  return VERSION_DIR.test(name);
}

/** One table of an export, as `state_metadata.json` describes it. */
export interface ExportTable {
  /** The Arrow IPC file, relative to the export root (`v-0000000000000042/tasks.arrow`). */
  readonly file: string;
  /** Rows in the file. */
  readonly rows: number;
  /** The file's size in bytes. */
  readonly bytes: number;
}

/** The content of `state_metadata.json`: what {@link writeExport} returns and readers parse. */
export interface ExportMetadata {
  /** The export format, {@link EXPORT_FORMAT}. */
  readonly format: number;
  /** The store version exported. */
  readonly version: number;
  /**
   * Which run of the store wrote it (the caller's id): a version number is only meaningful
   * within one incarnation, as a store without persistence starts again at version 1.
   */
  readonly incarnation: string;
  /** When the version was committed (ms since the epoch). */
  readonly committedAt: number;
  /** When the export was written (ms since the epoch). */
  readonly writtenAt: number;
  /** The store's schema, as plain data (docs/schema.md). */
  readonly schema: Schema;
  /** Each table's file and row count, in schema order. */
  readonly tables: Readonly<Record<string, ExportTable>>;
  /** The store metadata of the version. */
  readonly meta: MetaMap;
}

/**
 * The default export root of a store called `name`: `/dev/shm/arrow-cluster-state/<name>` where
 * `/dev/shm` exists (a RAM-backed tmpfs on Linux: files there are shared memory that readers can
 * map), else `<os.tmpdir()>/arrow-cluster-state/<name>`.
 */
export function defaultExportRoot(name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new StateError('INVALID_OPTION', `an export name is one path segment, not ${JSON.stringify(name)}`);
  }
  const base = isDir('/dev/shm') ? '/dev/shm' : os.tmpdir();
  return path.join(base, 'arrow-cluster-state', name);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
