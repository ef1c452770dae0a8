// A thread that increments a shared counter through update(fn): read, require what was read, write.
import { parentPort, workerData } from 'node:worker_threads';
import { attach, batch, type RuntimeHandle } from '../../src/index.js';

const { handle, count } = workerData as { handle: RuntimeHandle; count: number };
const client = await attach(handle);
let attempts = 0;
const work: Promise<number>[] = [];
for (let i = 0; i < count; i++) {
  work.push(
    client.update(
      (s) => {
        attempts++;
        const ops = s.get('accounts', 'a', ['ops'])!.ops as number;
        return batch()
          .require('accounts', 'a', { column: 'ops', equals: ops })
          .update('accounts', 'a', { ops: ops + 1 });
      },
      { retries: 10_000 },
    ),
  );
}
await Promise.all(work);
await client.close();
parentPort!.postMessage({ attempts });
