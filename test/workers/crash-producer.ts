// A producer in the crash tests' child: submits batches that each add one audit row and bump a
// counter, 32 in flight, and prints "ack <id> <version>" (synchronously) once each is durable.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { attach, batch, type RuntimeHandle } from '../../src/index.js';

const { handle, base } = workerData as { handle: RuntimeHandle; base: number };
const client = await attach(handle);
let next = base;
const one = async (): Promise<void> => {
  for (;;) {
    const id = next++;
    const v = await client.submit(
      batch()
        .insert('audit', { seq: id, producer: String(base) })
        .increment('accounts', 'a', 'ops', 1),
    );
    writeSync(1, `ack ${id} ${v}\n`);
  }
};
await Promise.all(Array.from({ length: 32 }, one));
