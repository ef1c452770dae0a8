// Reader worker entry: attaches to the store in workerData.handle and answers ReaderRequests.
import { parentPort, workerData } from 'node:worker_threads';
import { serveReader } from '../src/runtime/reader-host.js';

await serveReader(parentPort!, (workerData as { handle: Parameters<typeof serveReader>[1] }).handle);
