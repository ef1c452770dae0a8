import { compareStrings } from '../store/compare.js';
import type { Snapshot } from '../store/snapshot.js';
import type { ResolvedPlan } from './resolve.js';

/**
 * What one execution of a query shares: the snapshot, the resolved plan, and the dictionary
 * caches, so that each code of a domain is decoded at most once per query and string order is
 * worked out once per domain.
 */
export class QueryContext {
  readonly snap: Snapshot;
  readonly r: ResolvedPlan;
  /** Rows per row group of the main table (sizes the per-chunk scratch arrays). */
  readonly groupSize: number;
  readonly #strings = new Map<string, (string | undefined)[]>();
  readonly #ranks = new Map<string, { rank: Int32Array; codes: Int32Array }>();

  constructor(snap: Snapshot, r: ResolvedPlan) {
    this.snap = snap;
    this.r = r;
    this.groupSize = snap.rowGroupSize(r.main.name);
  }

  /** The string of `code` in `domain`, decoded once per query. */
  decode(domain: string, code: number): string {
    let cache = this.#strings.get(domain);
    if (cache === undefined) {
      cache = [];
      this.#strings.set(domain, cache);
    }
    let s = cache[code];
    if (s === undefined) {
      s = this.snap.stringOf(domain, code);
      cache[code] = s;
    }
    return s;
  }

  /**
   * Each code's position in `compareStrings` order of the domain's strings: comparing ranks is
   * comparing strings, with no string touched on the hot path. Made once per query and domain
   * (every string decoded once, then one sort).
   */
  rank(domain: string): Int32Array {
    return this.#order(domain).rank;
  }

  /** The string whose rank (see `rank`) in `domain` is `rank`. */
  stringAtRank(domain: string, rank: number): string {
    return this.decode(domain, this.#order(domain).codes[rank]!);
  }

  #order(domain: string): { rank: Int32Array; codes: Int32Array } {
    let order = this.#ranks.get(domain);
    if (order === undefined) {
      const size = this.snap.domainSize(domain);
      const strings: string[] = new Array(size);
      const codes = new Int32Array(size);
      for (let c = 0; c < size; c++) {
        strings[c] = this.decode(domain, c);
        codes[c] = c;
      }
      codes.sort((a, b) => compareStrings(strings[a]!, strings[b]!));
      const rank = new Int32Array(size);
      for (let k = 0; k < size; k++) rank[codes[k]!] = k;
      order = { rank, codes };
      this.#ranks.set(domain, order);
    }
    return order;
  }
}
