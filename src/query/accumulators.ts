import type { ChunkView } from '../store/arrow-view.js';
import { compareBytes, halves, halvesNumber, isValid, joinHalves, utf8At } from './cells.js';
import type { QueryContext } from './context.js';
import type { ResolvedAggregate } from './resolve.js';

/*
 * Aggregate accumulators: one typed array per state, indexed by group. `add` folds the selected
 * rows of a chunk (`sel[k]`, k < m, whose groups are `gids[k]`) without allocating; `state` gives a
 * group's mergeable state as plain data for a partial result.
 */

/**
 * A group's state of one aggregate in a partial result: count a number; sum its value (null when
 * it saw no value); mean [sum, values]; min and max the value (null when none).
 */
export type AggState = number | bigint | string | boolean | null | [number | bigint, number];

/** Folds one aggregate over groups. */
export interface Accumulator {
  /** Makes room for groups [0, groups). */
  grow(groups: number): void;
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void;
  state(g: number): AggState;
}

/** A Float64Array that grows, for per-group states. */
class F64 {
  a: Float64Array;
  constructor(fill = 0) {
    this.a = new Float64Array(16).fill(fill);
    this.fill = fill;
  }
  readonly fill: number;
  grow(n: number): void {
    if (n <= this.a.length) return;
    const b = new Float64Array(Math.max(n, this.a.length * 2)).fill(this.fill);
    b.set(this.a);
    this.a = b;
  }
}

/** The accumulator of aggregate `a`. */
export function accumulator(ctx: QueryContext, a: ResolvedAggregate): Accumulator {
  const c = a.column;
  if (a.fn === 'count') return c === null ? new CountRows() : new CountValues();
  const type = c!.type;
  if (a.fn === 'sum' || a.fn === 'mean') return type === 'int64' ? new Int64Sum(a.fn) : new NumberSum(a.fn);
  const max = a.fn === 'max';
  if (type === 'int64') return new Int64Extreme(max);
  if (type === 'dictionary') return new DictionaryExtreme(ctx, c!.domain!, max);
  if (type === 'utf8') return new Utf8Extreme(max);
  return new NumberExtreme(max, type === 'timestamp' ? 'halves' : type === 'bool' ? 'bits' : 'plain');
}

class CountRows implements Accumulator {
  readonly #n = new F64();
  grow(groups: number): void {
    this.#n.grow(groups);
  }
  add(_v: ChunkView | null, _sel: Int32Array, m: number, gids: Int32Array): void {
    const n = this.#n.a;
    for (let k = 0; k < m; k++) n[gids[k]!]!++;
  }
  state(g: number): AggState {
    return this.#n.a[g]!;
  }
}

class CountValues implements Accumulator {
  readonly #n = new F64();
  grow(groups: number): void {
    this.#n.grow(groups);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    const n = this.#n.a;
    const validity = v!.validity;
    if (validity === null) for (let k = 0; k < m; k++) n[gids[k]!]!++;
    else for (let k = 0; k < m; k++) if (isValid(validity, sel[k]!)) n[gids[k]!]!++;
  }
  state(g: number): AggState {
    return this.#n.a[g]!;
  }
}

class NumberSum implements Accumulator {
  readonly #sum = new F64();
  readonly #n = new F64();
  readonly #mean: boolean;
  constructor(fn: 'sum' | 'mean') {
    this.#mean = fn === 'mean';
  }
  grow(groups: number): void {
    this.#sum.grow(groups);
    this.#n.grow(groups);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    const sum = this.#sum.a;
    const n = this.#n.a;
    const x = v!.values as Float64Array;
    const validity = v!.validity;
    for (let k = 0; k < m; k++) {
      const i = sel[k]!;
      if (!isValid(validity, i)) continue;
      const g = gids[k]!;
      sum[g]! += x[i]!;
      n[g]!++;
    }
  }
  state(g: number): AggState {
    const n = this.#n.a[g]!;
    if (this.#mean) return [this.#sum.a[g]!, n];
    return n === 0 ? null : this.#sum.a[g]!;
  }
}

/** Rows added to the halves' sums before they go into the bigints (keeps the doubles exact). */
const FLUSH = 1 << 20;

/**
 * Exact int64 sums without a bigint per row: the high (signed) and low (unsigned) 32-bit halves
 * are summed as doubles, exact for 2^20 rows, then every group's are carried into its bigint.
 */
class Int64Sum implements Accumulator {
  readonly #hi = new F64();
  readonly #lo = new F64();
  readonly #n = new F64();
  readonly #big: bigint[] = [];
  readonly #mean: boolean;
  /** Rows summed into the halves since the last carry (of any group: a bound for each). */
  #pending = 0;
  constructor(fn: 'sum' | 'mean') {
    this.#mean = fn === 'mean';
  }
  grow(groups: number): void {
    this.#hi.grow(groups);
    this.#lo.grow(groups);
    this.#n.grow(groups);
    while (this.#big.length < groups) this.#big.push(0n);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    for (let from = 0; from < m; from += FLUSH) {
      const to = Math.min(m, from + FLUSH);
      if (this.#pending + (to - from) > FLUSH) this.#carry();
      this.#pending += to - from;
      this.#sum(v!, sel, from, to, gids);
    }
  }
  #sum(v: ChunkView, sel: Int32Array, from: number, to: number, gids: Int32Array): void {
    const { hi, lo } = halves(v);
    const sh = this.#hi.a;
    const sl = this.#lo.a;
    const n = this.#n.a;
    const validity = v.validity;
    for (let k = from; k < to; k++) {
      const i = sel[k]!;
      if (!isValid(validity, i)) continue;
      const g = gids[k]!;
      sh[g]! += hi[2 * i + 1]!;
      sl[g]! += lo[2 * i]!;
      n[g]!++;
    }
  }
  #carry(): void {
    const sh = this.#hi.a;
    const sl = this.#lo.a;
    for (let g = 0; g < this.#big.length; g++) {
      if (sh[g] === 0 && sl[g] === 0) continue;
      this.#big[g]! += (BigInt(sh[g]!) << 32n) + BigInt(sl[g]!);
      sh[g] = 0;
      sl[g] = 0;
    }
    this.#pending = 0;
  }
  state(g: number): AggState {
    if (this.#pending > 0) this.#carry();
    const n = this.#n.a[g]!;
    if (this.#mean) return [this.#big[g]!, n];
    return n === 0 ? null : this.#big[g]!;
  }
}

/** min/max of numbers, timestamps (read from halves) and bools (false < true). */
class NumberExtreme implements Accumulator {
  readonly #best = new F64();
  readonly #n = new F64();
  readonly #max: boolean;
  readonly #read: 'plain' | 'halves' | 'bits';
  constructor(max: boolean, read: 'plain' | 'halves' | 'bits') {
    this.#max = max;
    this.#read = read;
  }
  grow(groups: number): void {
    this.#best.grow(groups);
    this.#n.grow(groups);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    const best = this.#best.a;
    const n = this.#n.a;
    const validity = v!.validity;
    const x = v!.values as Float64Array;
    const h = this.#read === 'halves' ? halves(v!) : null;
    const bits = this.#read === 'bits' ? (v!.values as Uint8Array) : null;
    const max = this.#max;
    for (let k = 0; k < m; k++) {
      const i = sel[k]!;
      if (!isValid(validity, i)) continue;
      const g = gids[k]!;
      const y = h !== null ? halvesNumber(h, i) : bits !== null ? (bits[i >> 3]! >> (i & 7)) & 1 : x[i]!;
      // Strictly better only: the first of equal values stays, as a sequential scan keeps it.
      if (n[g]++ === 0 || (max ? y > best[g]! : y < best[g]!)) best[g] = y;
    }
  }
  state(g: number): AggState {
    if (this.#n.a[g] === 0) return null;
    const b = this.#best.a[g]!;
    return this.#read === 'bits' ? b === 1 : b;
  }
}

class Int64Extreme implements Accumulator {
  readonly #hi = new F64();
  readonly #lo = new F64();
  readonly #n = new F64();
  readonly #max: boolean;
  constructor(max: boolean) {
    this.#max = max;
  }
  grow(groups: number): void {
    this.#hi.grow(groups);
    this.#lo.grow(groups);
    this.#n.grow(groups);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    const { hi, lo } = halves(v!);
    const bh = this.#hi.a;
    const bl = this.#lo.a;
    const n = this.#n.a;
    const validity = v!.validity;
    const sign = this.#max ? 1 : -1;
    for (let k = 0; k < m; k++) {
      const i = sel[k]!;
      if (!isValid(validity, i)) continue;
      const g = gids[k]!;
      const h = hi[2 * i + 1]!;
      const l = lo[2 * i]!;
      const c = h !== bh[g] ? (h < bh[g]! ? -1 : 1) : l !== bl[g] ? (l < bl[g]! ? -1 : 1) : 0;
      if (n[g]++ === 0 || c * sign > 0) {
        bh[g] = h;
        bl[g] = l;
      }
    }
  }
  state(g: number): AggState {
    return this.#n.a[g] === 0 ? null : joinHalves(this.#hi.a[g]!, this.#lo.a[g]!);
  }
}

/** min/max of a dictionary column in string order, through the domain's ranks. */
class DictionaryExtreme implements Accumulator {
  readonly #code = new F64(-1);
  readonly #ctx: QueryContext;
  readonly #domain: string;
  readonly #rank: Int32Array;
  readonly #max: boolean;
  constructor(ctx: QueryContext, domain: string, max: boolean) {
    this.#ctx = ctx;
    this.#domain = domain;
    this.#rank = ctx.rank(domain);
    this.#max = max;
  }
  grow(groups: number): void {
    this.#code.grow(groups);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    const best = this.#code.a;
    const rank = this.#rank;
    const codes = v!.values as Int32Array;
    const validity = v!.validity;
    const max = this.#max;
    for (let k = 0; k < m; k++) {
      const i = sel[k]!;
      if (!isValid(validity, i)) continue;
      const g = gids[k]!;
      const code = codes[i]!;
      const b = best[g]!;
      if (b < 0 || (max ? rank[code]! > rank[b]! : rank[code]! < rank[b]!)) best[g] = code;
    }
  }
  state(g: number): AggState {
    const code = this.#code.a[g]!;
    return code < 0 ? null : this.#ctx.decode(this.#domain, code);
  }
}

/** min/max of utf8 text, comparing bytes in place; only a new best is copied out. */
class Utf8Extreme implements Accumulator {
  readonly #best: (Uint8Array | undefined)[] = [];
  readonly #max: boolean;
  constructor(max: boolean) {
    this.#max = max;
  }
  grow(groups: number): void {
    while (this.#best.length < groups) this.#best.push(undefined);
  }
  add(v: ChunkView | null, sel: Int32Array, m: number, gids: Int32Array): void {
    const bytes = v!.values as Uint8Array;
    const offsets = v!.offsets!;
    const validity = v!.validity;
    const sign = this.#max ? 1 : -1;
    for (let k = 0; k < m; k++) {
      const i = sel[k]!;
      if (!isValid(validity, i)) continue;
      const g = gids[k]!;
      const b = this.#best[g];
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      if (b === undefined || compareBytes(bytes, start, end, b) * sign > 0)
        this.#best[g] = bytes.slice(start, end);
    }
  }
  state(g: number): AggState {
    const b = this.#best[g];
    return b === undefined ? null : utf8At(b, 0, b.length);
  }
}
