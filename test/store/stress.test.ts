import { describe, expect, it } from 'vitest';
import { int32, int64, Store, schema, table } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';

const READERS = 2;
const TRANSACTIONS = 100_000;
const TOTAL = 1_000_000;

interface Done {
  kind: 'done';
  checks: number;
  versionsSeen: number;
  last: number;
  failures: string[];
}

/** A tiny deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('readers in worker threads while the writer commits', () => {
  it('never see a torn or mixed version, and versions never go backwards', async () => {
    const store = Store.create(
      schema([
        table('accounts', { id: int32(), balance: int32(), touched: int64() }, { key: 'id' }),
        table('meta', { id: int32(), rows: int32(), version: int64() }, { key: 'id' }),
      ]),
      // Small groups and segments: copy-on-write, reclamation and new-segment announcements all
      // happen while the readers run.
      { rowGroupSize: 64, segmentBytes: 256 * 1024 },
    );
    store.write((tx) => {
      tx.insert('accounts', { id: 0, balance: TOTAL, touched: 2 });
      tx.insert('meta', { id: 0, rows: 1, version: 2 });
    });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const workers = Array.from({ length: READERS }, () =>
      startWorker(new URL('../workers/invariant-reader.ts', import.meta.url), {
        handle: store.handle(),
        stop,
        total: TOTAL,
      }),
    );
    await Promise.all(workers.map((w) => nextMessage(w, (m: { kind: string }) => m.kind === 'ready')));
    const results = workers.map((w) => nextMessage<Done>(w, (m) => m.kind === 'done'));

    const next = rng(42);
    const ids: number[] = [0];
    let nextId = 1;
    for (let n = 0; n < TRANSACTIONS; n++) {
      store.write((tx) => {
        const v = tx.version;
        const ops = 1 + next(3);
        for (let k = 0; k < ops; k++) {
          const kind = next(10);
          // Grow to about 3,000 rows in the first half, then hover around it.
          const grow = n < TRANSACTIONS / 2 ? 6 : 4;
          if (kind < grow || ids.length < 2) {
            const from = ids[next(ids.length)]!;
            const src = tx.get('accounts', from)!;
            const give = Math.floor((src.balance as number) / 2);
            tx.update('accounts', from, { balance: (src.balance as number) - give, touched: v });
            const id = nextId++;
            tx.insert('accounts', { id, balance: give, touched: v });
            ids.push(id);
          } else if (kind < 8) {
            const a = ids[next(ids.length)]!;
            const b = ids[next(ids.length)]!;
            if (a === b) continue;
            const ra = tx.get('accounts', a)!;
            const rb = tx.get('accounts', b)!;
            const amount = next((ra.balance as number) + 1);
            tx.update('accounts', a, { balance: (ra.balance as number) - amount, touched: v });
            tx.update('accounts', b, { balance: (rb.balance as number) + amount, touched: v });
          } else {
            const i = next(ids.length);
            const gone = ids[i]!;
            const heir = ids[(i + 1) % ids.length]!;
            const rg = tx.get('accounts', gone)!;
            const rh = tx.get('accounts', heir)!;
            tx.update('accounts', heir, {
              balance: (rh.balance as number) + (rg.balance as number),
              touched: v,
            });
            tx.delete('accounts', gone);
            ids[i] = ids[ids.length - 1]!;
            ids.pop();
          }
        }
        tx.update('meta', 0, { rows: tx.count('accounts'), version: v });
      });
    }
    const finalVersion = store.version;
    Atomics.store(stop, 0, 1);
    const done = await Promise.all(results);
    await Promise.all(workers.map((w) => w.terminate()));

    for (const d of done) {
      expect(d.failures).toEqual([]);
      expect(d.checks).toBeGreaterThan(0);
      expect(d.last).toBeLessThanOrEqual(finalVersion);
    }
    // The readers saw the store move, not one frozen version.
    expect(done.reduce((s, d) => s + d.versionsSeen, 0)).toBeGreaterThan(10);
    expect(store.stats().segments).toBeGreaterThan(1);
    const snap = store.snapshot();
    expect(snap.version).toBe(TRANSACTIONS + 2);
    expect(snap.count('accounts')).toBe(ids.length);
    snap.release();
    store.close();
  });
});
