// Checkpoint worker entry: writes checkpoints of the store (logic in src/persist/checkpointer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type CheckpointerData, serveCheckpointer } from '../src/persist/checkpointer.js';

await serveCheckpointer(parentPort!, workerData as CheckpointerData);
