import { afterEach, describe, expect, it } from 'vitest';
import { batch, StateError, StateRuntime } from '../../src/index.js';
import { ledger, WRITERS } from '../support/runtime.js';

let runtime: StateRuntime | null = null;
afterEach(async () => {
  await runtime?.close();
  runtime = null;
});

describe.each(WRITERS)('submit with a %s writer', (writer) => {
  it('resolves with the version that applied the batch, visible to this thread at once', async () => {
    runtime = await StateRuntime.start(ledger, { writer });
    const v = await runtime.submit(batch().insert('accounts', { id: 'a', balance: 10, ops: 0 }));
    expect(v).toBe(2);
    expect(runtime.version).toBeGreaterThanOrEqual(v);
    expect(runtime.read((s) => s.get('accounts', 'a'))).toEqual({ id: 'a', balance: 10, ops: 0, note: null });
  });

  it('rejects a bad batch with the engine error, changes nothing, and applies the batches behind it', async () => {
    runtime = await StateRuntime.start(ledger, { writer });
    await runtime.submit(batch().insert('accounts', { id: 'a', balance: 10, ops: 0 }));
    const before = runtime.version;
    const results = await Promise.allSettled([
      runtime.submit(
        batch().update('accounts', 'a', { balance: 11 }).insert('accounts', { id: 'a', balance: 1, ops: 0 }),
      ),
      runtime.submit(
        batch()
          .require('accounts', 'a', { column: 'balance', equals: 99 })
          .update('accounts', 'a', { ops: 5 }),
      ),
      runtime.submit(batch().update('accounts', 'a', { balance: 'x' as unknown as number })),
      runtime.submit(batch().update('accounts', 'a', { balance: 12 })),
    ]);
    const [dup, pre, type, ok] = results;
    for (const [r, code] of [
      [dup, 'DUPLICATE_KEY'],
      [pre, 'PRECONDITION_FAILED'],
      [type, 'TYPE_MISMATCH'],
    ] as const) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(StateError);
      expect(err.code).toBe(code);
      expect(err.details.table).toBe('accounts');
    }
    expect(ok).toEqual({ status: 'fulfilled', value: before + 1 });
    expect(runtime.read((s) => s.get('accounts', 'a'))).toMatchObject({ balance: 12, ops: 0 });
  });

  it('resolves a batch that changes nothing with the current version, and logs no record for it', async () => {
    runtime = await StateRuntime.start(ledger, { writer });
    const v1 = await runtime.submit(batch().insert('accounts', { id: 'a', balance: 10, ops: 0 }));
    const v2 = await runtime.submit(batch().require('accounts', 'a', { exists: true }));
    expect(v2).toBe(v1);
    const v3 = await runtime.submit(batch().update('accounts', 'a', { ops: 1 }));
    expect(v3).toBe(v1 + 1);
    const versions: number[] = [];
    for await (const r of runtime.changes(v1 - 1)) {
      versions.push(r.version);
      if (r.version === v3) break;
    }
    expect(versions).toEqual([v1, v3]);
  });

  it('fails a batch above the transport limit with BATCH_TOO_LARGE, before sending it', async () => {
    runtime = await StateRuntime.start(ledger, { writer, maxBatchBytes: 4096 });
    const big = batch();
    for (let i = 0; i < 200; i++) big.insert('accounts', { id: `account-${i}`, balance: i, ops: 0 });
    await expect(runtime.submit(big)).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
    expect(runtime.read((s) => s.count('accounts'))).toBe(0);
    await expect(runtime.submit(batch().insert('accounts', { id: 'a', balance: 1, ops: 0 }))).resolves.toBe(
      2,
    );
  });
});
