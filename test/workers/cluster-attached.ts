// A user's worker thread: attaches the cluster facade from its handle, with its own clock, writes
// through it and reads back what the opening thread wrote.
import { parentPort, workerData } from 'node:worker_threads';
import { ClusterState, type ClusterStateHandle, type StateError } from '../../src/index.js';

const { handle } = workerData as { handle: ClusterStateHandle };
const state = await ClusterState.attach(handle, { clock: () => 5_000 });
await state.addNode({ node_id: 'w1', role: 'worker', resources: { memory_total: 2 ** 36 } });
await state.addTask({ task_id: 'wt1', task_type: 'from-worker' });
await state.assignTask('wt1', 'w1');
const seen = await state.getTaskInfo('main-task');
const meta = await state.getMetadata();
let checkpoint = '';
await state.checkpoint().catch((e: StateError) => {
  checkpoint = e.code;
});
const again = state.handle();
await state.close();
parentPort!.postMessage({
  seen,
  meta,
  checkpoint,
  same: again.runtime !== undefined && again.clusterId === handle.clusterId,
});
