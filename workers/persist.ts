// Persistence worker entry: makes the write-ahead log durable (logic in src/persist/persister.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type PersisterData, servePersister } from '../src/persist/persister.js';

servePersister(parentPort!, workerData as PersisterData);
