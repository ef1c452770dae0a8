import { describe, expect, it } from 'vitest';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';

describe('string keys looked up from other threads', () => {
  it('find every key committed at or before the pinned version and none after', async () => {
    const store = Store.create(
      schema([table('nodes', { id: dictionary('node'), seq: int32() }, { key: 'id' })]),
      {
        rowGroupSize: 256,
        segmentBytes: 256 * 1024,
      },
    );
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const workers = [0, 1].map(() =>
      startWorker(new URL('../workers/key-reader.ts', import.meta.url), { handle: store.handle(), stop }),
    );
    await Promise.all(workers.map((w) => nextMessage(w, (m: { kind: string }) => m.kind === 'ready')));
    const done = workers.map((w) =>
      nextMessage<{ kind: string; checks: number; failures: string[] }>(w, (m) => m.kind === 'done'),
    );
    // 60,000 keys in transactions of 1 to 40: the hash index grows and rehashes many times while
    // the readers probe it.
    let next = 0;
    while (next < 60_000) {
      const batch = 1 + (next % 40);
      store.write((tx) => {
        for (let k = 0; k < batch; k++, next++) tx.insert('nodes', { id: `node-${next}`, seq: next });
      });
    }
    Atomics.store(stop, 0, 1);
    for (const d of await Promise.all(done)) {
      expect(d.failures).toEqual([]);
      expect(d.checks).toBeGreaterThan(0);
    }
    await Promise.all(workers.map((w) => w.terminate()));
    store.close();
  });
});
