// A producer thread of a runtime: attaches from the handle, submits its planned batches all at
// once, and posts each batch's outcome back.
import { parentPort, workerData } from 'node:worker_threads';
import { attach, type RuntimeHandle } from '../../src/index.js';
import { planBatches, runPlan } from '../support/runtime.js';

const { handle, producer, count } = workerData as { handle: RuntimeHandle; producer: number; count: number };
const client = await attach(handle);
const outcomes = await runPlan((b) => client.submit(b), planBatches(producer, count), `p${producer}`);
await client.close();
parentPort!.postMessage({ producer, outcomes });
