import { Worker } from 'node:worker_threads';
import { resolveWorker } from '../../src/index.js';

/** Starts a worker from a TypeScript module through the development entry. */
export function startWorker(module: URL, workerData: unknown): Worker {
  const entry = resolveWorker(module);
  return new Worker(entry.filename, { argv: entry.argv, workerData });
}

/** Resolves with the first message of `worker` that satisfies `match`; rejects on error or exit. */
export function nextMessage<T>(worker: Worker, match: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (!match(m)) return;
      cleanup();
      resolve(m);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before the expected message`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
