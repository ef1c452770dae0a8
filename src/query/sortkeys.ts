import type { ChunkView } from '../store/arrow-view.js';
import { halves, halvesNumber, isValid, utf8At } from './cells.js';
import type { QueryContext } from './context.js';
import type { SortValue } from './order.js';
import type { QueryColumn } from './resolve.js';

/**
 * Reads one sort-key column of the current chunk: `bind` it to a chunk, then `at(i)` gives row i's
 * value as the heap compares it. Numbers, timestamps, bools (0/1) and dictionary codes (as their
 * rank in string order) are plain numbers, so most keys cost no allocation; int64 gives a bigint and
 * utf8 a decoded string. `final` turns a kept value into what a partial result carries (a
 * dictionary rank back into its string, comparable across parts).
 */
export interface SortKeyReader {
  bind(v: ChunkView): void;
  at(i: number): SortValue;
  final(x: SortValue): SortValue;
}

/** The reader of sort column `c`. */
export function sortKeyReader(ctx: QueryContext, c: QueryColumn): SortKeyReader {
  let v: ChunkView | null = null;
  const identity = (x: SortValue) => x;
  switch (c.type) {
    case 'dictionary': {
      const rank = ctx.rank(c.domain!);
      let codes: Int32Array = new Int32Array(0);
      return {
        bind(view) {
          v = view;
          codes = view.values as Int32Array;
        },
        at: (i) => (isValid(v!.validity, i) ? rank[codes[i]!]! : null),
        final: (x) => (x === null ? null : ctx.stringAtRank(c.domain!, x as number)),
      };
    }
    case 'timestamp': {
      let h: ReturnType<typeof halves> | null = null;
      return {
        bind(view) {
          v = view;
          h = halves(view);
        },
        at: (i) => (isValid(v!.validity, i) ? halvesNumber(h!, i) : null),
        final: identity,
      };
    }
    case 'bool':
      return {
        bind(view) {
          v = view;
        },
        at: (i) => (isValid(v!.validity, i) ? ((v!.values as Uint8Array)[i >> 3]! >> (i & 7)) & 1 : null),
        final: identity,
      };
    case 'utf8':
      return {
        bind(view) {
          v = view;
        },
        at: (i) =>
          isValid(v!.validity, i)
            ? utf8At(v!.values as Uint8Array, v!.offsets![i]!, v!.offsets![i + 1]!)
            : null,
        final: identity,
      };
    default:
      return {
        bind(view) {
          v = view;
        },
        at: (i) => (isValid(v!.validity, i) ? (v!.values as Float64Array)[i]! : null),
        final: identity,
      };
  }
}
