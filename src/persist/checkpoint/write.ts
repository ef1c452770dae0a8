import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { StateError } from '../../errors.js';
import type { Snapshot } from '../../store/snapshot.js';
import { fsyncDir, ioError, makeDir, removeDir, writeFileSynced } from './durable-fs.js';
import {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_JSON,
  type CheckpointFile,
  type CheckpointInfo,
  checkpointName,
  DIR_MODE,
  type ManifestEntry,
  type PersistFormat,
  tableFileName,
} from './format.js';
import { readManifest, scanCheckpoints, writeManifest } from './manifest.js';
import type { ParquetCompression } from './parquet.js';
import { encodeTable } from './table-codec.js';

/** Options of {@link writeCheckpoint}. */
export interface WriteCheckpointOptions {
  /** How table files are encoded (default `'feather'`: Arrow IPC file, uncompressed, mappable). */
  format?: PersistFormat;
  /** How many checkpoints to keep, the new one included (default 3, at least 1). */
  keep?: number;
  /** Column compression of Parquet files (default `'snappy'`); Feather is never compressed. */
  parquetCompression?: ParquetCompression;
}

/** What {@link writeCheckpoint} wrote. */
export interface CheckpointWritten {
  /** The store version written. */
  readonly version: number;
  /** The checkpoint folder's path. */
  readonly path: string;
  /** Each table file: its table, name, rows, size and checksum. */
  readonly files: readonly CheckpointFile[];
  /** Bytes of all table files together. */
  readonly bytes: number;
  /** Checkpoints removed because they were beyond `keep` (folder names). */
  readonly removed: readonly string[];
  /** Wall time of the whole checkpoint, in milliseconds. */
  readonly ms: number;
}

const encoder = new TextEncoder();

/**
 * Writes the version `snapshot` pins as a checkpoint in persistence folder `folder` (made 0700 if
 * missing): one file per table with its rows in storage order, plus `checkpoint.json` (version,
 * store metadata, schema, format version, time, each file's size and crc32). Everything is
 * written into `tmp-<version>-<random>/` and fsynced, the folder is renamed to
 * `checkpoint-<version>/` and the parent fsynced, then `manifest.json` is replaced atomically,
 * listing the kept checkpoints newest first; checkpoints beyond `keep` are removed last (never the
 * one just written). Synchronous: meant for a persistence worker, which pins the version while the
 * writer goes on. Throws CHECKPOINT_FORMAT (nothing written) when a newer format owns the folder,
 * PERSIST_IO when the file system fails (the temporary folder is removed).
 */
export function writeCheckpoint(
  folder: string,
  snapshot: Snapshot,
  options: WriteCheckpointOptions = {},
): CheckpointWritten {
  const t0 = performance.now();
  const format = options.format ?? 'feather';
  const keep = options.keep ?? 3;
  if (format !== 'feather' && format !== 'parquet') {
    throw new StateError('INVALID_OPTION', `format is 'feather' or 'parquet', not ${JSON.stringify(format)}`);
  }
  if (!Number.isInteger(keep) || keep < 1) {
    throw new StateError('INVALID_OPTION', `keep is an integer of at least 1, not ${String(keep)}`);
  }
  makeDir(folder);
  // Read before writing anything: a folder of a newer format is refused untouched.
  const previous = knownCheckpoints(folder);
  const version = snapshot.version;
  const name = checkpointName(version);
  const tmp = path.join(folder, `tmp-${version}-${randomBytes(6).toString('hex')}`);
  const target = path.join(folder, name);
  let info: CheckpointInfo;
  let infoBytes: Uint8Array;
  try {
    fs.mkdirSync(tmp, { mode: DIR_MODE });
    const files: CheckpointFile[] = [];
    for (const t of snapshot.schema.tables) {
      const file = tableFileName(t.name, format);
      const bytes = encodeTable(snapshot.table(t.name), format, options.parquetCompression);
      writeFileSynced(path.join(tmp, file), bytes);
      files.push({
        table: t.name,
        file,
        rows: snapshot.count(t.name),
        bytes: bytes.byteLength,
        crc32: crc32(bytes),
      });
    }
    info = {
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      version,
      committedAt: snapshot.committedAt,
      writtenAt: Date.now(),
      format,
      meta: { ...snapshot.meta() },
      schema: snapshot.schema,
      files,
    };
    infoBytes = encoder.encode(`${JSON.stringify(info, null, 2)}\n`);
    writeFileSynced(path.join(tmp, CHECKPOINT_JSON), infoBytes);
    fsyncDir(tmp);
    moveInto(tmp, target, folder);
  } catch (err) {
    removeDir(tmp);
    throw ioError(err, 'writing checkpoint', tmp);
  }
  fsyncDir(folder);
  const entry: ManifestEntry = { name, version, format, writtenAt: info.writtenAt, crc32: crc32(infoBytes) };
  const others = previous.filter((e) => e.name !== name).sort((a, b) => b.version - a.version);
  const kept = [entry, ...others.slice(0, keep - 1)];
  writeManifest(folder, kept);
  const removed = others.slice(keep - 1).map((e) => e.name);
  for (const old of removed) removeDir(path.join(folder, old));
  // Temporary folders left by a crashed checkpoint (one writing process per folder: none is live).
  for (const n of fs.readdirSync(folder)) if (n.startsWith('tmp-')) removeDir(path.join(folder, n));
  fsyncDir(folder);
  let bytes = 0;
  for (const f of info.files) bytes += f.bytes;
  return { version, path: target, files: info.files, bytes, removed, ms: performance.now() - t0 };
}

/** Renames the finished `tmp` folder to `target`, replacing a checkpoint of the same version. */
function moveInto(tmp: string, target: string, folder: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(tmp, target);
    return;
  }
  const old = path.join(folder, `tmp-old-${path.basename(target)}-${randomBytes(6).toString('hex')}`);
  fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  removeDir(old);
}

/**
 * The checkpoints already in `folder`: the manifest's entries whose folders exist, and folders a
 * crash left out of the manifest (or all folders, when the manifest is damaged).
 */
function knownCheckpoints(folder: string): ManifestEntry[] {
  let listed: readonly ManifestEntry[] = [];
  try {
    listed = readManifest(folder)?.checkpoints ?? [];
  } catch (err) {
    if ((err as StateError).code !== 'CHECKPOINT_CORRUPT') throw err;
  }
  const onDisk = scanCheckpoints(folder);
  const present = new Set(onDisk.map((c) => c.name));
  const out = listed.filter((e) => present.has(e.name));
  const named = new Set(out.map((e) => e.name));
  for (const c of onDisk) {
    if (named.has(c.name)) continue;
    const e = entryOf(folder, c.name);
    if (e !== null) out.push(e);
  }
  return out;
}

/** A manifest entry for checkpoint folder `name`, from its checkpoint.json; null if unreadable. */
function entryOf(folder: string, name: string): ManifestEntry | null {
  try {
    const bytes = fs.readFileSync(path.join(folder, name, CHECKPOINT_JSON));
    const info = JSON.parse(bytes.toString('utf8')) as CheckpointInfo;
    if (info.formatVersion > CHECKPOINT_FORMAT_VERSION) {
      throw new StateError(
        'CHECKPOINT_FORMAT',
        `${path.join(folder, name)} has format version ${info.formatVersion}; this code writes ${CHECKPOINT_FORMAT_VERSION}: refusing to touch the folder`,
        { path: path.join(folder, name) },
      );
    }
    return {
      name,
      version: info.version,
      format: info.format,
      writtenAt: info.writtenAt,
      crc32: crc32(bytes),
    };
  } catch (err) {
    if (err instanceof StateError) throw err;
    return null;
  }
}
