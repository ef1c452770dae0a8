/**
 * Across two threads, with a small ring and a slow consumer, back-pressure makes the producer wait:
 * every frame of random size arrives, intact and in order, none dropped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDoorbell, createRing, RingWriter } from '../../src/runtime/transport/ring.js';
import { nextMessage, startWorker } from '../support/workers.js';

function payload(seq: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seq * 31 + i * 7) & 255;
  return b;
}

describe('a ring between two threads', () => {
  it('delivers every frame in order under back-pressure', async () => {
    const handle = createRing({ capacity: 1024, doorbell: createDoorbell() });
    const writer = new RingWriter(handle);
    // Sizes from tiny to the limit, so frames straddle the end of the ring in every position.
    const sizes = fc.sample(fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: writer.maxFrameBytes })), {
      numRuns: 2000,
      seed: 42,
    });
    const worker = startWorker(new URL('../workers/ring-consumer.ts', import.meta.url), {
      handle,
      count: sizes.length,
      spinUs: 20,
    });
    try {
      const done = nextMessage<{ received: number; damaged: number[] }>(worker);
      let maxWaiting = 0;
      const pending: Promise<void>[] = [];
      for (let seq = 0; seq < sizes.length; seq++) {
        const p = writer.write(payload(seq, sizes[seq]!));
        maxWaiting = Math.max(maxWaiting, writer.waiting);
        // Half the time keep writing without waiting: those writes queue behind the full ring.
        if (seq % 200 < 100) pending.push(p);
        else await p;
      }
      await Promise.all(pending);
      const { received, damaged } = await done;
      expect(damaged).toEqual([]);
      expect(received).toBe(sizes.length);
      expect(maxWaiting).toBeGreaterThan(10); // the ring was full and writes waited
    } finally {
      await worker.terminate();
    }
  });
});
