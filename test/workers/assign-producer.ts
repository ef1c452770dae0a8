// A producer thread: reads the task from its own snapshot and, if it is pending, builds the
// scheduler's assignment batch for its node and posts it to the owner, which applies it.
import { parentPort, workerData } from 'node:worker_threads';
import { batch, Store, type StoreHandle } from '../../src/index.js';

const { handle, task, node, go } = workerData as {
  handle: StoreHandle;
  task: string;
  node: string;
  go: Int32Array;
};
const store = await Store.attach(handle);
parentPort!.postMessage({ kind: 'ready' });
// Both producers decide on the same state: wait for the start signal, then read.
Atomics.wait(go, 0, 0);
const status = store.read((s) => s.get('tasks', task, ['status'])?.status);
const assignment =
  status === 'pending'
    ? batch()
        .require('tasks', task, { column: 'status', equals: 'pending' })
        .require('nodes', node, { exists: true })
        .update('tasks', task, { status: 'assigned', assigned_node_id: node })
        .increment('nodes', node, 'tasks_assigned', 1)
        .build()
    : null;
parentPort!.postMessage({ kind: 'batch', node, status, assignment });
store.close();
