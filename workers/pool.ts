// Reader-pool worker entry (piscina): attaches to the store once, then runs query parts.
import { workerData } from 'node:worker_threads';
import { poolHandler } from '../src/runtime/pool-task.js';

export default poolHandler((workerData as { handle: Parameters<typeof poolHandler>[0] }).handle);
