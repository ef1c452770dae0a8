/**
 * A ring hands frames over in order and intact, whatever their sizes, across many wrap-arounds;
 * tryWrite refuses exactly when the frame does not fit next to the unreleased ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRing, RingReader, RingWriter } from '../../src/runtime/transport/ring.js';

/** Bytes a frame of `n` payload bytes takes: 8 of header, the payload padded to 8. */
const frameSize = (n: number) => 8 + Math.ceil(n / 8) * 8;

/** The payload of frame `seq`: its length and seq decide every byte, so damage shows. */
function payload(seq: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seq * 31 + i * 7) & 255;
  return b;
}

type Step = { write: number } | { read: number };

describe('a ring, in one thread', () => {
  it('returns every frame written, in order and intact, and refuses only when full', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(64, 128, 256),
        fc.array(
          fc.oneof(
            fc.record({ write: fc.nat({ max: 1000 }) }),
            fc.record({ read: fc.integer({ min: 1, max: 4 }) }),
          ),
          { maxLength: 300 },
        ),
        (capacity, steps: Step[]) => {
          const handle = createRing({ capacity });
          const w = new RingWriter(handle);
          const r = new RingReader(handle);
          const queued: Uint8Array[] = []; // written, not yet read
          let used = 0; // bytes of the frames in `queued` and of the one read last, still held
          let held = 0; // read() returns a view that stays valid, so unreleased, until the next read
          let seq = 0;
          for (const step of steps) {
            if ('write' in step) {
              const n = step.write % (w.maxFrameBytes + 1);
              const b = payload(seq, n);
              const fits = used + frameSize(n) <= capacity;
              expect(w.tryWrite(b)).toBe(fits);
              if (fits) {
                queued.push(b);
                used += frameSize(n);
                seq++;
              }
            } else {
              for (let k = 0; k < step.read; k++) {
                const got = r.read();
                used -= held;
                held = 0;
                const want = queued.shift();
                if (want === undefined) {
                  expect(got).toBeNull();
                  break;
                }
                expect(got).toEqual(want);
                held = frameSize(want.length);
              }
            }
          }
          for (const want of queued) expect(r.read()).toEqual(want);
          expect(r.read()).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});
