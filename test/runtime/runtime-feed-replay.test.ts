import { describe, expect, it } from 'vitest';
import { type BatchBuilder, batch, decodeBatch, StateRuntime, Store } from '../../src/index.js';
import { ledger, rowsOf, WRITERS } from '../support/runtime.js';

/** A random batch over the accounts that exist: inserts, updates, deletes (strings die: compactions). */
function randomBatch(rand: () => number, live: Set<string>, next: { id: number }): BatchBuilder {
  const b = batch();
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const ids = [...live];
    const r = rand();
    if (r < 0.45 || ids.length === 0) {
      const id = `acct-${next.id++}`;
      live.add(id);
      b.insert('accounts', {
        id,
        balance: Math.floor(rand() * 100),
        ops: 0,
        note: rand() < 0.5 ? null : `note ${next.id}`,
      });
    } else {
      const id = ids[Math.floor(rand() * ids.length)]!;
      if (r < 0.75) {
        b.update('accounts', id, { balance: Math.floor(rand() * 100), note: `n${Math.floor(rand() * 1e6)}` });
      } else {
        live.delete(id);
        b.delete('accounts', id);
      }
    }
  }
  return b;
}

describe.each(WRITERS)('the commit feed of a %s writer', (writer) => {
  it('replayed into a fresh store reproduces the rows of every version, compactions kept as markers', async () => {
    const runtime = await StateRuntime.start(ledger, {
      writer,
      compactMinStrings: 8,
      compactDeadFraction: 0.3,
    });
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const live = new Set<string>();
    const next = { id: 0 };
    const rowsAt = new Map<number, Record<string, unknown>[]>();
    for (let i = 0; i < 300; i++) {
      const v = await runtime.submit(randomBatch(rand, live, next));
      rowsAt.set(
        v,
        runtime.read((s) => rowsOf(s, 'accounts')),
      );
    }

    const replica = Store.create(ledger);
    let expected = 2;
    let markers = 0;
    for await (const record of runtime.changes(1)) {
      // Every version number is there, in order, markers included.
      expect(record.version).toBe(expected++);
      const { batch: b } = decodeBatch(record.bytes);
      if (b.marker === 'compaction') markers++;
      else replica.apply(b);
      const want = rowsAt.get(record.version);
      if (want !== undefined) expect(replica.read((s) => rowsOf(s, 'accounts'))).toEqual(want);
      if (record.version === runtime.version) break;
    }
    expect(markers).toBeGreaterThan(0);
    expect(expected - 2).toBe(rowsAt.size + markers);
    replica.close();
    await runtime.close();
  });

  it('fails changes() from a version older than its window with CHANGES_EXPIRED', async () => {
    const runtime = await StateRuntime.start(ledger, { writer, windowRecords: 10 });
    for (let i = 0; i < 30; i++) await runtime.submit(batch().insert('audit', { seq: i, producer: 'p' }));
    const read = async (from: number) => {
      const versions: number[] = [];
      for await (const r of runtime.changes(from)) {
        versions.push(r.version);
        if (r.version === runtime.version) break;
      }
      return versions;
    };
    await expect(read(5)).rejects.toMatchObject({ code: 'CHANGES_EXPIRED' });
    expect(await read(runtime.version - 10)).toHaveLength(10);
    await runtime.close();
  });
});
