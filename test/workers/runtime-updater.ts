// A thread that increments a shared counter through update(fn): read, require what was read, write.
import { parentPort, workerData } from 'node:worker_threads';
import { attach, type RuntimeHandle } from '../../src/index.js';
import { incrementOps } from '../support/runtime.js';

const { handle, count } = workerData as { handle: RuntimeHandle; count: number };
const client = await attach(handle);
let attempts = 0;
const work: Promise<number>[] = [];
for (let i = 0; i < count; i++) {
  work.push(
    client.update(
      (s) => {
        attempts++;
        return incrementOps(s);
      },
      { retries: 10_000 },
    ),
  );
}
await Promise.all(work);
await client.close();
parentPort!.postMessage({ attempts });
