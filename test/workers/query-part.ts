// Executes query parts in a worker thread: each message is a plan and a row-group range, each
// reply the structured-cloned partial result (or the error's code), as a pool worker would.
import { parentPort, workerData } from 'node:worker_threads';
import {
  executeQuery,
  type GroupRange,
  type QueryPlan,
  StateError,
  Store,
  type StoreHandle,
} from '../../src/index.js';

const store = await Store.attach((workerData as { handle: StoreHandle }).handle);
parentPort!.on('message', (m: { id: number; plan: QueryPlan; range: GroupRange } | null) => {
  if (m === null) {
    store.close();
    parentPort!.close();
    return;
  }
  try {
    const partial = store.read((snap) => executeQuery(snap, m.plan, m.range));
    parentPort!.postMessage({ id: m.id, ok: true, partial });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, code: e instanceof StateError ? e.code : 'ERROR' });
  }
});
parentPort!.postMessage({ id: 0, ok: true });
