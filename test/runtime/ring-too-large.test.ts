/**
 * A frame above the ring's limit fails with BATCH_TOO_LARGE, naming its size and the limit, writes
 * nothing, and leaves the ring usable: frames before and after it arrive in order.
 */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { createRing, RingReader, RingWriter } from '../../src/runtime/transport/ring.js';

describe('an oversized frame', () => {
  it('fails with BATCH_TOO_LARGE and leaves the ring usable', async () => {
    const handle = createRing({ capacity: 256 });
    const w = new RingWriter(handle);
    const r = new RingReader(handle);
    expect(w.maxFrameBytes).toBe(248);
    expect(w.tryWrite(new Uint8Array([1, 2, 3]))).toBe(true);

    const big = new Uint8Array(249);
    let err: unknown;
    try {
      w.tryWrite(big);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe('BATCH_TOO_LARGE');
    expect((err as StateError).message).toContain('249');
    expect((err as StateError).message).toContain('248');
    await expect(w.write(big)).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });

    // The largest frame that fits still goes through once the ring has room, after the small one.
    const max = new Uint8Array(248).fill(9);
    const pending = w.write(max);
    expect(w.waiting).toBe(1);
    expect(r.read()).toEqual(new Uint8Array([1, 2, 3]));
    r.release();
    await pending;
    expect(r.read()).toEqual(max);
    expect(r.read()).toBeNull();
    expect(w.tryWrite(new Uint8Array([4]))).toBe(true);
    expect(r.read()).toEqual(new Uint8Array([4]));
  });
});
