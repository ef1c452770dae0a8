import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFolder } from '../../src/persist/lock.js';

const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('the writer lock of a persistence folder', () => {
  it('is refused to a live process and within this process, taken over from a dead or reused pid', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'acs-lock-'));
    try {
      const release = lockFolder(folder);
      expect(() => lockFolder(folder)).toThrow(expect.objectContaining({ code: 'FOLDER_LOCKED' }));
      release();

      // Another live process holds it.
      const other = spawn('sleep', ['30']);
      await new Promise((r) => other.once('spawn', r));
      writeFileSync(join(folder, 'LOCK'), `${other.pid} ${startOf(other.pid!)}\n`);
      expect(() => lockFolder(folder)).toThrow(expect.objectContaining({ code: 'FOLDER_LOCKED' }));
      // The same pid with another start time: the pid was reused by a new process, the lock is stale.
      writeFileSync(join(folder, 'LOCK'), `${other.pid} 1\n`);
      lockFolder(folder)();
      other.kill();
      await new Promise((r) => other.once('exit', r));
      // A process that is gone.
      writeFileSync(join(folder, 'LOCK'), `${other.pid} ${'9'.repeat(12)}\n`);
      const again = lockFolder(folder);
      expect(readFileSync(join(folder, 'LOCK'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
      again();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
