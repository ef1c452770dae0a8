import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateError } from '../../errors.js';
import type { Snapshot } from '../../store/snapshot.js';
import { ioError } from '../checkpoint/durable-fs.js';
import { tableFileName } from '../checkpoint/format.js';
import { encodeTable } from '../checkpoint/table-codec.js';
import {
  EXPORT_DIR_MODE,
  EXPORT_FILE_MODE,
  EXPORT_FORMAT,
  EXPORT_METADATA,
  type ExportMetadata,
  type ExportTable,
  exportDirName,
  isExportDirName,
} from './format.js';

/** Options of {@link writeExport}. */
export interface WriteExportOptions {
  /** Which run of the store is writing (written into the metadata; readers compare it). */
  readonly incarnation: string;
}

const encoder = new TextEncoder();

/**
 * Writes the version `snapshot` pins as the export in `root` (created 0700 with its missing
 * parents) and returns its metadata:
 *
 * 1. every table of the snapshot as an uncompressed Arrow IPC file (the encoding of Feather
 *    checkpoints, dictionaries included) into a new folder `v-<16-digit version>` (`-<n>` is added
 *    when that name is taken, e.g. by the same version of another incarnation), files 0600;
 * 2. `state_metadata.json` replaced atomically (a temporary file renamed over it), so a reader sees
 *    the old export or the new one, never a mix;
 * 3. every other `v-*` folder removed: the metadata no longer names them. A reader that opened (or
 *    mapped) a file of one keeps reading it: on Linux and other POSIX systems an unlinked file
 *    lives on until its last descriptor or mapping goes. A reader that read the old metadata but
 *    had not opened its files yet finds them gone and reads the metadata again ({@link openExport}
 *    does).
 *
 * Nothing is fsynced: the export lives in shared memory (`/dev/shm`) and is not durable; the
 * checkpoints and the WAL are. One writer per root (the persistence worker); readers need no lock.
 * Synchronous, like `writeCheckpoint`. Throws INVALID_OPTION without an incarnation, PERSIST_IO
 * when the file system fails: before the swap the new folder is removed and the previous export
 * stays as it was; a failure to remove old folders after the swap leaves the new export in place.
 */
export function writeExport(root: string, snapshot: Snapshot, options: WriteExportOptions): ExportMetadata {
  if (typeof options?.incarnation !== 'string' || options.incarnation === '') {
    throw new StateError('INVALID_OPTION', 'writeExport needs an incarnation: a non-empty string');
  }
  try {
    fs.mkdirSync(root, { recursive: true, mode: EXPORT_DIR_MODE });
  } catch (err) {
    throw ioError(err, 'creating folder', root);
  }
  const dirName = freeDirName(root, exportDirName(snapshot.version));
  const dir = path.join(root, dirName);
  let metadata: ExportMetadata;
  try {
    fs.mkdirSync(dir, { mode: EXPORT_DIR_MODE });
    const tables: Record<string, ExportTable> = {};
    for (const t of snapshot.schema.tables) {
      const file = tableFileName(t.name, 'feather');
      const bytes = encodeTable(snapshot.table(t.name), 'feather');
      writeNewFile(path.join(dir, file), bytes);
      tables[t.name] = { file: `${dirName}/${file}`, rows: snapshot.count(t.name), bytes: bytes.byteLength };
    }
    metadata = {
      format: EXPORT_FORMAT,
      version: snapshot.version,
      incarnation: options.incarnation,
      committedAt: snapshot.committedAt,
      writtenAt: Date.now(),
      schema: snapshot.schema,
      tables,
      meta: { ...snapshot.meta() },
    };
    replaceFile(path.join(root, EXPORT_METADATA), encoder.encode(`${JSON.stringify(metadata, null, 2)}\n`));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw ioError(err, 'writing export', dir);
  }
  removeUnnamed(root, dirName);
  return metadata;
}

/**
 * Removes the export in `root`: its metadata first (so readers stop finding it), then its version
 * folders and leftover temporary files, then `root` itself if nothing else is in it. A missing
 * root is not an error.
 */
export function removeExport(root: string): void {
  try {
    fs.rmSync(path.join(root, EXPORT_METADATA), { force: true });
    removeUnnamed(root, null);
    fs.rmdirSync(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return;
    throw ioError(err, 'removing export', root);
  }
}

/** `base`, or `base-1`, `base-2`, ... : the first name not present in `root`. */
function freeDirName(root: string, base: string): string {
  let name = base;
  for (let n = 1; fs.existsSync(path.join(root, name)); n++) name = `${base}-${n}`;
  return name;
}

/** Creates `bytes` as a new file at `p` (mode 0600, exclusively), written fully; no fsync. */
function writeNewFile(p: string, bytes: Uint8Array): void {
  const fd = fs.openSync(p, 'wx', EXPORT_FILE_MODE);
  try {
    for (let at = 0; at < bytes.byteLength; ) at += fs.writeSync(fd, bytes, at, bytes.byteLength - at);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces the file at `p` by `bytes` atomically: a new file in the same folder renamed onto it. */
function replaceFile(p: string, bytes: Uint8Array): void {
  const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeNewFile(tmp, bytes);
    fs.renameSync(tmp, p);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Removes the version folders of `root` other than `keep`, and temporary metadata files left by
 * a writer that died between writing and renaming one (one writer per root: none is live).
 */
function removeUnnamed(root: string, keep: string | null): void {
  for (const name of fs.readdirSync(root)) {
    if (name === keep) continue;
    const stale = isExportDirName(name) || (name.startsWith(`.${EXPORT_METADATA}.`) && name.endsWith('.tmp'));
    if (!stale) continue;
    try {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
    } catch (err) {
      throw ioError(err, 'removing', path.join(root, name));
    }
  }
}
