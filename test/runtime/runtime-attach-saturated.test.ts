import { describe, expect, it } from 'vitest';
import { attach, batch, StateRuntime } from '../../src/index.js';
import { ledger } from '../support/runtime.js';

describe('a writer worker that never runs out of batches', () => {
  it('still serves a new client: attach and its first submit complete while the load goes on', async () => {
    const runtime = await StateRuntime.start(ledger, { writer: 'worker' });
    await runtime.submit(batch().insert('accounts', { id: 'a', balance: 0, ops: 0 }));
    // The load stops only once the late client is in: if attaching waited for the writer's queue
    // to drain, it would never complete, and the test would time out.
    let attached = false;
    let rounds = 0;
    const load = (async () => {
      while (!attached) {
        const round = Array.from({ length: 200 }, () => {
          const b = batch();
          for (let k = 0; k < 50; k++) b.increment('accounts', 'a', 'ops', 1);
          return runtime.submit(b);
        });
        await Promise.all(round);
        rounds++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const client = await attach(runtime.handle());
    const v = await client.submit(batch().insert('audit', { seq: 1, producer: 'late' }));
    attached = true;
    await load;
    expect(client.read((s) => s.get('audit', 1))).toEqual({ seq: 1, producer: 'late' });
    expect(v).toBeGreaterThan(1);
    expect(rounds).toBeGreaterThan(0);
    await client.close();
    await runtime.close();
  }, 30_000);
});
