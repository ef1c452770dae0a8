/**
 * Blocks that a newer version replaced, waiting until no pinned version can see them.
 *
 * A block is visible to the versions in [birth, death): born with the transaction that made it,
 * dead from the version that replaced it. It may be freed once no pinned version lies in that
 * interval. New pins only ever take the newest version, which is at or past every recorded death,
 * so a block found unpinned stays unpinned. Entries are kept as parallel typed arrays so that the
 * per-commit bookkeeping allocates nothing.
 */
export class RetiredBlocks {
  #ref = new Float64Array(256);
  #bytes = new Float64Array(256);
  #birth = new Float64Array(256);
  #death = new Float64Array(256);
  #length = 0;
  #pendingBytes = 0;

  /** Number of blocks waiting. */
  get length(): number {
    return this.#length;
  }

  /** Bytes of the blocks waiting. */
  get bytes(): number {
    return this.#pendingBytes;
  }

  add(ref: number, bytes: number, birth: number, death: number): void {
    if (this.#length === this.#ref.length) this.#grow();
    const i = this.#length++;
    this.#ref[i] = ref;
    this.#bytes[i] = bytes;
    this.#birth[i] = birth;
    this.#death[i] = death;
    this.#pendingBytes += bytes;
  }

  /**
   * Frees every block whose interval holds no pinned version. `pins` is sorted ascending and must
   * include the newest published version. Returns the bytes freed.
   */
  sweep(pins: Float64Array, free: (ref: number, bytes: number) => void): number {
    let kept = 0;
    let freed = 0;
    const n = pins.length;
    for (let i = 0; i < this.#length; i++) {
      const birth = this.#birth[i]!;
      const death = this.#death[i]!;
      // First pin at or after birth: the block is visible to it if it is before death.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pins[mid]! < birth) lo = mid + 1;
        else hi = mid;
      }
      if (lo < n && pins[lo]! < death) {
        this.#ref[kept] = this.#ref[i]!;
        this.#bytes[kept] = this.#bytes[i]!;
        this.#birth[kept] = birth;
        this.#death[kept] = death;
        kept++;
      } else {
        const bytes = this.#bytes[i]!;
        free(this.#ref[i]!, bytes);
        freed += bytes;
      }
    }
    this.#length = kept;
    this.#pendingBytes -= freed;
    return freed;
  }

  #grow(): void {
    const size = this.#ref.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.#ref = grow(this.#ref);
    this.#bytes = grow(this.#bytes);
    this.#birth = grow(this.#birth);
    this.#death = grow(this.#death);
  }
}
