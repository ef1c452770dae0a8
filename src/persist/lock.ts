import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../errors.js';

const LOCK = 'LOCK';

/** Whether a process with this pid is alive (signal 0 tests without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's writer lock: a `LOCK` file holding our pid, created exclusively. One writing
 * process per folder; a lock whose process is gone (a crash) is stale and taken over. Returns the
 * release function.
 */
export function lockFolder(folder: string): () => void {
  const path = join(folder, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // Gone already: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateError('PERSIST_IO', `cannot lock ${folder}: ${(err as Error).message}`);
      }
    }
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) {
      throw new StateError(
        'FOLDER_LOCKED',
        `${folder} is in use by process ${pid} (its LOCK file); open it read-only, or stop that process`,
      );
    }
    if (pid === process.pid) {
      throw new StateError('FOLDER_LOCKED', `${folder} is already open for writing in this process`);
    }
    // A stale lock: its process died without releasing it.
    unlinkSync(path);
  }
  throw new StateError('FOLDER_LOCKED', `cannot take the lock of ${folder}: another process keeps taking it`);
}
