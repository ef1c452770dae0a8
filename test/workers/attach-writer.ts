// Tries to attach as a second writer and reports what happened.
import { parentPort, workerData } from 'node:worker_threads';
import { StateError, Store, type StoreHandle } from '../../src/index.js';

try {
  await Store.attach(workerData as StoreHandle, { writer: true });
  parentPort!.postMessage({ code: 'ATTACHED', message: 'attached as a writer' });
} catch (err) {
  parentPort!.postMessage({
    code: err instanceof StateError ? err.code : 'ERROR',
    message: (err as Error).message,
  });
}
