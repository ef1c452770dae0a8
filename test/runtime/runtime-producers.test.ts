import { describe, expect, it } from 'vitest';
import { decodeBatch, StateRuntime } from '../../src/index.js';
import { ACCOUNTS, ledger, type ProducerOutcome, planBatches, runPlan, WRITERS } from '../support/runtime.js';
import { nextMessage, startWorker } from '../support/workers.js';

const PRODUCERS = 3; // the main thread and two workers
const COUNT = 400;

describe.each(WRITERS)('producers in several threads with a %s writer', (writer) => {
  it('apply every acknowledged batch at its version, nothing of a rejected one, each producer in order', async () => {
    const runtime = await StateRuntime.start(ledger, { writer });
    await runtime.submit({
      effects: ACCOUNTS.map((id) => ({ op: 'insert', table: 'accounts', row: { id, balance: 0, ops: 0 } })),
    });
    const start = runtime.version;
    const workers = [1, 2].map((producer) =>
      startWorker(new URL('../workers/runtime-producer.ts', import.meta.url), {
        handle: runtime.handle(),
        producer,
        count: COUNT,
      }),
    );
    const replies = workers.map((w) => nextMessage<{ producer: number; outcomes: ProducerOutcome[] }>(w));
    const mine = await runPlan((b) => runtime.submit(b), planBatches(0, COUNT), 'p0');
    const outcomes = [
      mine,
      ...(await Promise.all(replies)).sort((a, b) => a.producer - b.producer).map((r) => r.outcomes),
    ];

    // Every flawed batch was rejected with its own code, every good one applied.
    const expected = {
      balance: new Map(ACCOUNTS.map((a) => [a, 0])),
      ops: new Map(ACCOUNTS.map((a) => [a, 0])),
    };
    const bySeq = new Map<number, number>();
    for (let p = 0; p < PRODUCERS; p++) {
      const plan = planBatches(p, COUNT);
      let last = start;
      outcomes[p]!.forEach((o, i) => {
        const b = plan[i]!;
        const code = {
          duplicate: 'DUPLICATE_KEY',
          precondition: 'PRECONDITION_FAILED',
          type: 'TYPE_MISMATCH',
        };
        expect(o.code).toBe(b.flaw === null ? null : code[b.flaw]);
        if (o.version === null) return;
        // One producer's batches apply in the order it submitted them.
        expect(o.version).toBeGreaterThan(last);
        last = o.version;
        bySeq.set(b.seq, o.version);
        expected.balance.set(b.account, expected.balance.get(b.account)! + b.by);
        expected.ops.set(b.account, expected.ops.get(b.account)! + 1);
      });
    }

    // The final state is the model's: rejected batches left nothing, not even their first effects.
    runtime.read((s) => {
      for (const a of ACCOUNTS) {
        expect(s.get('accounts', a)).toMatchObject({
          balance: expected.balance.get(a),
          ops: expected.ops.get(a),
        });
      }
      expect(s.count('audit')).toBe(bySeq.size);
    });

    // Each acknowledged batch is the record of exactly the version it was acknowledged with.
    // Records carry their producer's id and its sequence numbers, increasing in version order.
    const seen = new Map<number, number>();
    const producers = new Map<string, { id: string; seq: number }>();
    for await (const record of runtime.changes(start)) {
      const b = decodeBatch(record.bytes).batch;
      for (const e of b.effects) {
        if (e.op !== 'insert' || e.table !== 'audit') continue;
        seen.set(e.row.seq as number, record.version);
        const label = e.row.producer as string;
        const last = producers.get(label) ?? { id: b.producer ?? '', seq: 0 };
        if (last.seq > 0) expect(b.producer).toBe(last.id);
        expect(b.seq).toBeGreaterThan(last.seq);
        producers.set(label, { id: b.producer ?? '', seq: b.seq ?? 0 });
      }
      if (record.version === runtime.version) break;
    }
    expect(new Set([...producers.values()].map((p) => p.id)).size).toBe(PRODUCERS);
    expect(seen).toEqual(bySeq);
    await runtime.close();
  });
});
