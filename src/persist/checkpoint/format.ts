import type { Schema } from '../../schema/schema.js';
import type { MetaMap } from '../../store/meta.js';

/*
 * The on-disk format of checkpoints: names, modes and the JSON documents of a checkpoint folder.
 *
 *   <folder>/manifest.json                          the kept checkpoints, newest first
 *   <folder>/checkpoint-<16-digit version>/
 *     checkpoint.json                               version, metadata, schema, files, checksums
 *     <table>.arrow | <table>.parquet               one file per table, rows in storage order
 */

/** The format version this code writes; it reads this one and older, and refuses newer. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** How table files are encoded: Feather v2 (Arrow IPC file, uncompressed) or Parquet. */
export type PersistFormat = 'feather' | 'parquet';

/** Mode of every file a checkpoint writes. */
export const FILE_MODE = 0o600;
/** Mode of every folder a checkpoint writes. */
export const DIR_MODE = 0o700;

/** Name of the manifest file in a persistence folder. */
export const MANIFEST = 'manifest.json';
/** Name of the description file inside a checkpoint folder. */
export const CHECKPOINT_JSON = 'checkpoint.json';

const PREFIX = 'checkpoint-';
const NAME = /^checkpoint-(\d{16})$/;

/** The folder name of the checkpoint of `version`: zero-padded so that names sort as versions. */
export function checkpointName(version: number): string {
  return `${PREFIX}${String(version).padStart(16, '0')}`;
}

/** The version a checkpoint folder name stands for, or -1 if the name is not one. */
export function versionOfName(name: string): number {
  const m = NAME.exec(name);
  return m === null ? -1 : Number(m[1]);
}

/** The file name of a table in a checkpoint of `format`. */
export function tableFileName(table: string, format: PersistFormat): string {
  return `${table}.${format === 'feather' ? 'arrow' : 'parquet'}`;
}

/** One table file of a checkpoint, as `checkpoint.json` describes it. */
export interface CheckpointFile {
  /** The table the file holds. */
  readonly table: string;
  /** Its name inside the checkpoint folder. */
  readonly file: string;
  /** Rows written (the snapshot's count). */
  readonly rows: number;
  /** Its exact size in bytes. */
  readonly bytes: number;
  /** zlib.crc32 of its bytes. */
  readonly crc32: number;
}

/** The content of `checkpoint.json`. */
export interface CheckpointInfo {
  readonly formatVersion: number;
  /** The store version the checkpoint was written from. */
  readonly version: number;
  /** When that version was committed (ms since the epoch). */
  readonly committedAt: number;
  /** When the checkpoint was written (ms since the epoch). */
  readonly writtenAt: number;
  readonly format: PersistFormat;
  /** The store metadata of the version. */
  readonly meta: MetaMap;
  /** The store's schema, as plain data. */
  readonly schema: Schema;
  /** The table files, in schema order. */
  readonly files: readonly CheckpointFile[];
}

/** One checkpoint listed in `manifest.json`. */
export interface ManifestEntry {
  /** The folder name, `checkpoint-<version>`. */
  readonly name: string;
  readonly version: number;
  readonly format: PersistFormat;
  /** When it was written (ms since the epoch). */
  readonly writtenAt: number;
  /** zlib.crc32 of its `checkpoint.json`, which in turn holds each table file's checksum. */
  readonly crc32: number;
}

/** The content of `manifest.json`. */
export interface Manifest {
  readonly formatVersion: number;
  /** The kept checkpoints, newest first. */
  readonly checkpoints: readonly ManifestEntry[];
}
