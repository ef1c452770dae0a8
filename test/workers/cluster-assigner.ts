// A scheduler thread of the cluster facade: attaches a ClusterState from its handle and, on "go",
// tries to assign every task of the list to its node, all in flight at once. A task another
// scheduler won is refused (PRECONDITION_FAILED); it reports the tasks it won.
import { parentPort, workerData } from 'node:worker_threads';
import { ClusterState, type ClusterStateHandle, StateError } from '../../src/index.js';

const { handle, node, tasks } = workerData as { handle: ClusterStateHandle; node: string; tasks: string[] };
const state = await ClusterState.attach(handle);
parentPort!.once('message', async () => {
  const won: string[] = [];
  const other: string[] = [];
  await Promise.all(
    tasks.map((t) =>
      state.assignTask(t, node).then(
        () => won.push(t),
        (e: unknown) => {
          if (!(e instanceof StateError && e.code === 'PRECONDITION_FAILED')) other.push(String(e));
        },
      ),
    ),
  );
  await state.close();
  parentPort!.postMessage({ won, other });
});
parentPort!.postMessage('ready');
