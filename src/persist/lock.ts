import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../errors.js';

const LOCK = 'LOCK';

/** Folders this process holds the lock of: a second writer in the same process is refused too. */
const held = new Set<string>();

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or null
 * where /proc does not exist or the process does not. A pid can be reused by a new process after
 * the old one died; its start time tells them apart.
 */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock's owner still runs: same pid and, where /proc says, the same start time. */
function ownerAlive(pid: number, started: string | undefined): boolean {
  const now = startTime(pid);
  if (now !== null) return started === undefined || started === now;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's writer lock: one writing process per folder, one writer per folder in this
 * process. The `LOCK` file, created exclusively (mode 0600), holds our pid and start time; a lock
 * whose process is gone, or whose pid now belongs to a process that started later (a reused pid),
 * is stale and taken over. Returns the release function.
 */
export function lockFolder(folder: string): () => void {
  if (held.has(folder)) {
    throw new StateError('FOLDER_LOCKED', `${folder} is already open for writing in this process`, {
      path: folder,
    });
  }
  const path = join(folder, LOCK);
  const mine = `${process.pid} ${startTime(process.pid) ?? '-'}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, mine);
      closeSync(fd);
      held.add(folder);
      return () => {
        held.delete(folder);
        try {
          if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
        } catch {
          // Gone already: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateError('PERSIST_IO', `cannot lock ${folder}: ${(err as Error).message}`, {
          path: folder,
        });
      }
    }
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const [pidText, started] = text.trim().split(' ');
    const pid = Number.parseInt(pidText ?? '', 10);
    if (Number.isInteger(pid) && pid > 0 && ownerAlive(pid, started === '-' ? undefined : started)) {
      throw new StateError(
        'FOLDER_LOCKED',
        `${folder} is in use by process ${pid} (its LOCK file); open it read-only, or stop that process`,
        { path: folder },
      );
    }
    // A stale lock: its process died without releasing it.
    unlinkSync(path);
  }
  throw new StateError(
    'FOLDER_LOCKED',
    `cannot take the lock of ${folder}: another process keeps taking it`,
    {
      path: folder,
    },
  );
}
