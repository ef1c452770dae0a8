// A scheduler's producer thread. For each round it reads the round's task from its own snapshot
// and, if the task is pending, builds the assignment batch for its node. Every producer reads
// before any of them posts (a barrier between the producers), so all decide on the same state;
// then each posts its batch to the owner at once, and the owner applies it as it arrives. The
// owner's reply (won, or the error code) goes back to the test as `done`.
import { parentPort, workerData } from 'node:worker_threads';
import { batch, Store, type StoreHandle } from '../../src/index.js';

const { handle, node, producers, arrived } = workerData as {
  handle: StoreHandle;
  node: string;
  producers: number;
  /** Per round: how many producers have read the task. */
  arrived: Int32Array;
};
const store = await Store.attach(handle);

type Message =
  | { kind: 'round'; round: number; task: string }
  | { kind: 'outcome'; round: number; outcome: string }
  | { kind: 'stop' };

parentPort!.on('message', (m: Message) => {
  if (m.kind === 'round') {
    const { round, task } = m;
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
    // Spin, not wait: every producer leaves the barrier at once, so which batch reaches the owner
    // first is a real race.
    Atomics.add(arrived, round, 1);
    while (Atomics.load(arrived, round) < producers) {
      // Spin.
    }
    parentPort!.postMessage({ kind: 'batch', round, node, status, assignment });
  } else if (m.kind === 'outcome') {
    parentPort!.postMessage({ kind: 'done', round: m.round, node, outcome: m.outcome });
  } else {
    store.close();
    parentPort!.close();
  }
});
parentPort!.postMessage({ kind: 'ready' });
