// A slow consumer of one ring, for test/runtime/ring-two-threads.test.ts. It sleeps on the ring's
// doorbell, checks every frame against the payload its sequence number and length decide, spins
// `spinUs` per frame and yields to its event loop every few frames, then posts what it saw.
import { parentPort, workerData } from 'node:worker_threads';
import { type RingHandle, RingReader, waitDoorbell } from '../../src/runtime/transport/ring.js';

const { handle, count, spinUs } = workerData as { handle: RingHandle; count: number; spinUs: number };
const bell = handle.doorbell!;
const reader = new RingReader(handle);
let seq = 0;
const damaged: number[] = [];
// A pending waitAsync does not keep a worker alive; this timer does until we are done.
const keepAlive = setInterval(() => {}, 1 << 30);

function check(view: Uint8Array): void {
  for (let i = 0; i < view.length; i++) {
    if (view[i] !== ((seq * 31 + i * 7) & 255)) {
      damaged.push(seq);
      return;
    }
  }
}

while (seq < count) {
  const seen = Atomics.load(bell, 0);
  let n = 0;
  for (let view = reader.read(); view !== null; view = reader.read()) {
    check(view);
    seq++;
    const end = performance.now() + spinUs / 1000;
    while (performance.now() < end) {}
    if (++n === 8) break;
  }
  if (n === 8) await new Promise((r) => setImmediate(r));
  else if (seq < count) await waitDoorbell(bell, seen);
}
reader.release();
clearInterval(keepAlive);
parentPort!.postMessage({ received: seq, damaged });
