import { describe, expect, it } from 'vitest';
import { batch, StateRuntime } from '../../src/index.js';
import { ledger } from '../support/runtime.js';

describe('a slow consumer of the commit feed', () => {
  it('slows the writer down to its pace instead of losing records or queueing without bound', async () => {
    const runtime = await StateRuntime.start(ledger, { writer: 'inline' });
    const HIGH_WATER = 8;
    const consumed: number[] = [];
    let maxLag = 0;
    runtime.feed.subscribe(async (record) => {
      maxLag = Math.max(maxLag, runtime.version - record.version);
      await new Promise((r) => setTimeout(r, 1));
      consumed.push(record.version);
    }, HIGH_WATER);
    const submitted = Array.from({ length: 200 }, (_, i) =>
      runtime.submit(batch().insert('audit', { seq: i, producer: 'p' })),
    );
    const versions = await Promise.all(submitted);
    while (consumed.at(-1) !== runtime.version) await new Promise((r) => setTimeout(r, 5));
    expect(consumed).toEqual(Array.from({ length: consumed.length }, (_, i) => i + 2));
    expect(consumed.at(-1)).toBe(versions.at(-1));
    // The writer stopped once the consumer was HIGH_WATER records behind (one more was applying).
    expect(maxLag).toBeLessThanOrEqual(HIGH_WATER + 1);
    await runtime.close();
  });

  it('is dropped when it throws, and the writer carries on', async () => {
    const runtime = await StateRuntime.start(ledger, { writer: 'inline' });
    const sub = runtime.feed.subscribe(() => {
      throw new Error('consumer broke');
    }, 1);
    for (let i = 0; i < 5; i++) await runtime.submit(batch().insert('audit', { seq: i, producer: 'p' }));
    expect((sub.failure() as Error).message).toBe('consumer broke');
    expect(runtime.read((s) => s.count('audit'))).toBe(5);
    await runtime.close();
  });
});
