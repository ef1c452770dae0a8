import type { ChunkView } from '../store/arrow-view.js';
import { type Accumulator, type AggState, accumulator } from './accumulators.js';
import type { QueryContext } from './context.js';
import { invalid } from './invalid.js';
import { type KeyEncoder, type KeyValue, keyEncoder } from './keys.js';

/** The groups of a part: their keys and aggregate states, in order of first appearance. */
export interface GroupsPartial {
  readonly kind: 'groups';
  /** Per group: the group-by values, in groupBy order. */
  readonly keys: KeyValue[][];
  /** Per group: each aggregate's state, in the plan's aggregate order. */
  readonly states: AggState[][];
}

/** Largest key id a multi-column group key can combine (ids of one column beyond are refused). */
const ID_LIMIT = 2 ** 26;

/**
 * Group-by with aggregates over the selected rows of each chunk. Rows become group ids through
 * their key columns' ids (a dense array for one key, a map of combined ids for several), and the
 * accumulators index typed arrays by group id. Groups are numbered in order of first appearance,
 * which makes the output order deterministic and mergeable across parts.
 */
export class Grouper {
  readonly #ctx: QueryContext;
  readonly #encoders: KeyEncoder[];
  readonly #accs: Accumulator[];
  readonly #keySlots: number[];
  readonly #aggSlots: number[];
  /** Per key column, each group's key id. */
  readonly #keyIds: number[][];
  #groups = 0;
  #byId = new Int32Array(64).fill(-1);
  readonly #levels: Map<number, number>[];
  readonly #sel: Int32Array;
  /** 0, 1, 2, ...: the selection of a chunk whose rows are all kept. */
  readonly #all: Int32Array;
  readonly #ids: Int32Array[];
  readonly #gids: Int32Array;

  constructor(ctx: QueryContext) {
    this.#ctx = ctx;
    const r = ctx.r;
    this.#encoders = r.groupBy.map((c) => keyEncoder(ctx, c));
    this.#keySlots = r.groupBy.map((c) => c.slot);
    this.#accs = r.aggregates.map((a) => accumulator(ctx, a));
    this.#aggSlots = r.aggregates.map((a) => (a.column === null ? -1 : a.column.slot));
    this.#keyIds = r.groupBy.map(() => []);
    this.#levels = r.groupBy.slice(1).map(() => new Map());
    const size = ctx.groupSize;
    this.#sel = new Int32Array(size);
    this.#all = new Int32Array(size);
    for (let i = 0; i < size; i++) this.#all[i] = i;
    this.#ids = r.groupBy.map(() => new Int32Array(size));
    this.#gids = new Int32Array(size);
  }

  /** Folds the rows of a chunk whose `mask` byte is 1 (all `n` rows when it is null). */
  consume(views: readonly ChunkView[], n: number, mask: Uint8Array | null): void {
    let sel = this.#all;
    let m = n;
    if (mask !== null) {
      sel = this.#sel;
      m = 0;
      // Branch-free: a kept row advances m, a dropped one is overwritten by the next.
      for (let i = 0; i < n; i++) {
        sel[m] = i;
        m += mask[i]!;
      }
    }
    if (m === 0) return;
    const gids = this.#gids;
    const keys = this.#encoders.length;
    if (keys === 0) {
      if (this.#groups === 0) this.#newGroup([]);
      gids.fill(0, 0, m);
    } else {
      for (let k = 0; k < keys; k++)
        this.#encoders[k]!.encode(views[this.#keySlots[k]!]!, sel, m, this.#ids[k]!);
      if (keys === 1) this.#single(m);
      else this.#multi(m);
    }
    for (let a = 0; a < this.#accs.length; a++) {
      const slot = this.#aggSlots[a]!;
      this.#accs[a]!.add(slot < 0 ? null : views[slot]!, sel, m, gids);
    }
  }

  /** One key column: its id indexes the group table directly. */
  #single(m: number): void {
    const ids = this.#ids[0]!;
    const gids = this.#gids;
    // Map-encoded keys grow their ids as they go: make room for this chunk's first.
    const bound = this.#encoders[0]!.bound();
    if (bound > this.#byId.length) {
      const next = new Int32Array(Math.max(bound, this.#byId.length * 2)).fill(-1);
      next.set(this.#byId);
      this.#byId = next;
    }
    const byId = this.#byId;
    for (let k = 0; k < m; k++) {
      const id = ids[k]!;
      let g = byId[id]!;
      if (g < 0) {
        g = this.#newGroup([id]);
        byId[id] = g;
      }
      gids[k] = g;
    }
  }

  /** Several key columns: ids are combined pairwise, each pair numbered by a map of its level. */
  #multi(m: number): void {
    const gids = this.#gids;
    const keys = this.#encoders.length;
    const ids: number[] = new Array(keys);
    for (let k = 0; k < m; k++) {
      let combined = this.#ids[0]![k]!;
      for (let c = 1; c < keys; c++) {
        const id = this.#ids[c]![k]!;
        if (id >= ID_LIMIT || combined >= ID_LIMIT) {
          throw invalid(`the group key of a query of ${this.#ctx.r.main.name} has too many distinct values`, {
            table: this.#ctx.r.main.name,
          });
        }
        const level = this.#levels[c - 1]!;
        const pair = combined * ID_LIMIT + id;
        let next = level.get(pair);
        if (next === undefined) {
          if (c === keys - 1) {
            for (let j = 0; j < keys; j++) ids[j] = this.#ids[j]![k]!;
            next = this.#newGroup(ids);
          } else next = level.size;
          level.set(pair, next);
        }
        combined = next;
      }
      gids[k] = combined;
    }
  }

  #newGroup(ids: readonly number[]): number {
    const g = this.#groups++;
    for (let k = 0; k < ids.length; k++) this.#keyIds[k]!.push(ids[k]!);
    for (const acc of this.#accs) acc.grow(this.#groups);
    return g;
  }

  /** The part's groups as plain data. */
  partial(): GroupsPartial {
    const keys: KeyValue[][] = [];
    const states: AggState[][] = [];
    for (let g = 0; g < this.#groups; g++) {
      keys.push(this.#encoders.map((e, k) => e.value(this.#keyIds[k]![g]!)));
      states.push(this.#accs.map((a) => a.state(g)));
    }
    return { kind: 'groups', keys, states };
  }
}
