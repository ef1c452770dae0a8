/**
 * Room for the encoded batches a client sends through its ring, cut from shared 64 KiB buffers:
 * one ArrayBuffer per submit (encodeBatch's own copy) cost more than the rest of submitting a
 * one-update batch, in allocation and in the GC work that external memory brings. The copies never
 * leave the thread as objects (the ring copies their bytes into shared memory), so nobody can
 * transfer or keep a shared buffer: it is dropped once its last copy is sent. Larger batches get
 * a buffer of their own.
 */
const POOL_BYTES = 64 * 1024;
const MAX_POOLED = 4 * 1024;

export class BytePool {
  #buffer = new Uint8Array(0);
  #used = 0;

  /** A copy of `bytes` that stays valid. */
  copy(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n > MAX_POOLED) return bytes.slice();
    if (this.#used + n > this.#buffer.length) {
      this.#buffer = new Uint8Array(POOL_BYTES);
      this.#used = 0;
    }
    const out = this.#buffer.subarray(this.#used, this.#used + n);
    out.set(bytes);
    this.#used += n;
    return out;
  }
}
