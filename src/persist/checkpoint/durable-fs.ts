import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateError } from '../../errors.js';
import { DIR_MODE, FILE_MODE } from './format.js';

/*
 * The durable file operations of checkpoints: files created 0600 and fsynced, folders created 0700
 * and fsynced after their entries change, and atomic replacement (temp file, fsync, rename, fsync
 * of the folder). Failures become PERSIST_IO errors that name the path.
 */

/** Wraps a file-system failure at `p` as a PERSIST_IO StateError (a StateError passes through). */
export function ioError(err: unknown, what: string, p: string): StateError {
  if (err instanceof StateError) return err;
  const e = err as NodeJS.ErrnoException;
  return new StateError(
    'PERSIST_IO',
    `${what} ${p} failed: ${e.code ?? ''} ${e.message ?? String(err)}`.trim(),
    {
      path: p,
    },
  );
}

/** Creates `bytes` as a new file at `p` (mode 0600; it must not exist), written fully and fsynced. */
export function writeFileSynced(p: string, bytes: Uint8Array): void {
  let fd = -1;
  try {
    fd = fs.openSync(p, 'wx', FILE_MODE);
    for (let at = 0; at < bytes.byteLength; ) at += fs.writeSync(fd, bytes, at, bytes.byteLength - at);
    fs.fsyncSync(fd);
  } catch (err) {
    throw ioError(err, 'writing', p);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** fsyncs a folder, so that the entries created, renamed or removed in it are durable. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    throw ioError(err, 'syncing folder', dir);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** Creates folder `dir` (and missing parents) with mode 0700; an existing folder is kept as it is. */
export function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw ioError(err, 'creating folder', dir);
  }
}

/**
 * Replaces the file at `p` by `bytes` atomically: a reader sees the old content or the new, never
 * a mix, and after a crash one of the two is there.
 */
export function replaceFileAtomically(p: string, bytes: Uint8Array): void {
  const dir = path.dirname(p);
  const tmp = path.join(
    dir,
    `.${path.basename(p)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  writeFileSynced(tmp, bytes);
  try {
    fs.renameSync(tmp, p);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw ioError(err, 'renaming onto', p);
  }
  fsyncDir(dir);
}

/** Removes a folder and everything in it; a folder already gone is not an error. */
export function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    throw ioError(err, 'removing', dir);
  }
}
