// Looks string keys up while the writer inserts new ones: every key committed at or before the
// pinned version must be found at the right row, and no later key may be visible.
import { parentPort, workerData } from 'node:worker_threads';
import { Store, type StoreHandle } from '../../src/index.js';

const { handle, stop } = workerData as { handle: StoreHandle; stop: Int32Array };
const store = await Store.attach(handle);
parentPort!.postMessage({ kind: 'ready' });

const failures: string[] = [];
let checks = 0;
let seed = 99;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
};
while (Atomics.load(stop, 0) === 0 || checks === 0) {
  store.read((s) => {
    const n = s.count('nodes');
    for (let k = 0; k < 50; k++) {
      if (n > 0) {
        const i = rand(n);
        const row = s.get('nodes', `node-${i}`);
        if (row === null || row.seq !== i)
          failures.push(`v${s.version}: node-${i} -> ${JSON.stringify(row)}`);
      }
      const later = n + rand(1000);
      if (s.get('nodes', `node-${later}`) !== null || s.codeOf('node', `node-${later}`) !== -1) {
        failures.push(`v${s.version}: node-${later} is visible with ${n} rows`);
      }
    }
  });
  checks++;
  if (failures.length > 10) break;
}
parentPort!.postMessage({ kind: 'done', checks, failures });
store.close();
