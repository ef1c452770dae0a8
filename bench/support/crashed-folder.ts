// A persistence folder left by a crash, for the benchmarks that measure recovery: a child process
// (durable-child.ts) loads the cluster, checkpoints, submits durable updates, and is killed with
// SIGKILL once it says it is done.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Fills `folder` with a checkpoint of `tasks` tasks and `updates` log records after it, then kills the child. */
export function crashedFolder(folder: string, tasks: number, updates: number): Promise<void> {
  const child = fileURLToPath(new URL('./durable-child.ts', import.meta.url));
  return new Promise<void>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, folder, String(tasks), String(updates)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().startsWith('done')) proc.kill('SIGKILL');
    });
    proc.on('exit', (_c, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error('child ended early')),
    );
  });
}
