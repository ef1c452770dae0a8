import { decodeCode } from './domain.js';
import { D_EPOCH } from './layout.js';
import type { SegmentSource } from './read.js';

/** Codes below this are cached; larger ones (ids of huge domains) are decoded each time. */
const CACHED_CODES = 1 << 18;

/**
 * A thread's decoded strings of each dictionary domain, by code. Within one compaction epoch a
 * domain only grows, so a committed code names the same string in every version: the cache holds
 * until a compaction renumbers the codes (a new epoch). Callers must only pass committed codes.
 */
export class StringCache {
  #domains: { epoch: number; values: (string | undefined)[] }[] = [];

  /** The string of committed `code` of domain `d`, whose root entry is `f64[w...]`. */
  decode(src: SegmentSource, f64: Float64Array, w: number, d: number, code: number): string {
    if (code >= CACHED_CODES) return decodeCode(src, f64, w, code);
    const epoch = f64[w + D_EPOCH]!;
    let cache = this.#domains[d];
    if (cache === undefined || cache.epoch !== epoch) {
      cache = { epoch, values: [] };
      this.#domains[d] = cache;
    }
    let s = cache.values[code];
    if (s === undefined) {
      s = decodeCode(src, f64, w, code);
      cache.values[code] = s;
    }
    return s;
  }
}
