import { compareKeys, type SortValue } from './order.js';

/** A row that may be in the output of an ordered query: its position and sort key. */
export interface Candidate {
  /** Row position in the main table: the tie-break (storage order). */
  readonly pos: number;
  readonly keys: SortValue[];
}

/** Candidate order: by key, then by storage position. */
export function compareCandidates(a: Candidate, b: Candidate, desc: readonly boolean[]): number {
  return compareKeys(a.keys, b.keys, desc) || a.pos - b.pos;
}

/**
 * The first `k` rows in sort order, without sorting everything: a bounded max-heap whose root is
 * the worst row kept. A row that does not beat the root costs one key comparison and no
 * allocation; only rows that get in are copied. With no limit (k = Infinity) it collects all rows.
 */
export class TopK {
  readonly #k: number;
  readonly #desc: readonly boolean[];
  readonly #heap: Candidate[] = [];

  constructor(k: number, desc: readonly boolean[]) {
    this.#k = k;
    this.#desc = desc;
  }

  /** Whether a row with these keys (a reused scratch array) at `pos` would get in. */
  wants(keys: readonly SortValue[], pos: number): boolean {
    const heap = this.#heap;
    if (heap.length < this.#k) return true;
    if (this.#k === 0) return false;
    const root = heap[0]!;
    const c = compareKeys(keys, root.keys, this.#desc);
    return c < 0 || (c === 0 && pos < root.pos);
  }

  /**
   * `wants` for a single sort key whose value is `x`: the common top-k (by priority, by time)
   * compares two numbers inline instead of going through key arrays.
   */
  wantsOne(x: SortValue, pos: number): boolean {
    const heap = this.#heap;
    if (heap.length < this.#k) return true;
    if (this.#k === 0) return false;
    const root = heap[0]!;
    const r = root.keys[0]!;
    if (typeof x === 'number' && typeof r === 'number' && !Number.isNaN(x) && !Number.isNaN(r)) {
      if (x === r) return pos < root.pos;
      return this.#desc[0] ? x > r : x < r;
    }
    this.#one[0] = x;
    const c = compareKeys(this.#one, root.keys, this.#desc);
    return c < 0 || (c === 0 && pos < root.pos);
  }

  readonly #one: SortValue[] = [null];

  /** Offers a row (call after `wants` said yes; its keys are copied). */
  push(keys: readonly SortValue[], pos: number): void {
    const heap = this.#heap;
    const cand: Candidate = { pos, keys: keys.slice() };
    if (heap.length < this.#k) {
      heap.push(cand);
      if (Number.isFinite(this.#k)) this.#up(heap.length - 1);
      return;
    }
    heap[0] = cand;
    this.#down(0);
  }

  /** The kept rows in sort order. */
  sorted(): Candidate[] {
    const desc = this.#desc;
    return this.#heap.slice().sort((a, b) => compareCandidates(a, b, desc));
  }

  /** Heap order: a parent is worse than (sorts after) its children. */
  #worse(a: Candidate, b: Candidate): boolean {
    return compareCandidates(a, b, this.#desc) > 0;
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#worse(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < n && this.#worse(heap[l]!, heap[w]!)) w = l;
      if (r < n && this.#worse(heap[r]!, heap[w]!)) w = r;
      if (w === i) return;
      [heap[i], heap[w]] = [heap[w]!, heap[i]!];
      i = w;
    }
  }
}
