import { describe, expect, it } from 'vitest';
import { attach, batch, StateRuntime } from '../../src/index.js';
import { ledger } from '../support/runtime.js';

describe('a writer worker saturated with batches', () => {
  it('still serves a new client: attach and its first submit finish long before the queue drains', async () => {
    const runtime = await StateRuntime.start(ledger, { writer: 'worker' });
    await runtime.submit(batch().insert('accounts', { id: 'a', balance: 0, ops: 0 }));
    let done = 0;
    const load: Promise<number>[] = [];
    for (let i = 0; i < 1500; i++) {
      const b = batch();
      for (let k = 0; k < 100; k++) b.increment('accounts', 'a', 'ops', 1);
      load.push(runtime.submit(b).finally(() => done++));
    }
    // Let the writer get busy first.
    await load[10];
    const client = await attach(runtime.handle());
    const attachedAt = done;
    const v = await client.submit(batch().insert('audit', { seq: 1, producer: 'late' }));
    await Promise.all(load);
    // The late client's batch went in while most of the load still waited: one queue, served in
    // arrival order, and the attach did not wait for the queue.
    expect(attachedAt).toBeLessThan(1500);
    expect(v).toBeLessThan(runtime.version);
    await client.close();
    await runtime.close();
  });
});
