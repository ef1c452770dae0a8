// Writer worker entry: owns the store of a StateRuntime and applies the batches clients submit.
import { parentPort, workerData } from 'node:worker_threads';
import { serveWriterWorker, type WriterWorkerData } from '../src/runtime/writer-worker.js';

serveWriterWorker(parentPort!, workerData as WriterWorkerData);
