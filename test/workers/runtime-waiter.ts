// A client thread that keeps a batch in flight until told, then reports how its submits ended.
import { parentPort, workerData } from 'node:worker_threads';
import { attach, batch, type RuntimeHandle } from '../../src/index.js';

const { handle } = workerData as { handle: RuntimeHandle };
const client = await attach(handle);
const snap = client.snapshot();
parentPort!.postMessage({ kind: 'attached', version: snap.version });
parentPort!.once('message', async () => {
  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    try {
      await client.submit(batch().insert('audit', { seq: 1000 + i, producer: 'w' }));
      codes.push('ok');
    } catch (err) {
      codes.push((err as { code: string }).code);
    }
  }
  // The pinned version stays readable after the writer is gone.
  const count = snap.count('audit');
  snap.release();
  await client.close();
  parentPort!.postMessage({ kind: 'done', codes, count });
});
