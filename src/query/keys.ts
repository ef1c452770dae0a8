import type { ChunkView } from '../store/arrow-view.js';
import { halves, halvesNumber, isValid, utf8At } from './cells.js';
import type { QueryContext } from './context.js';
import type { QueryColumn } from './resolve.js';

/*
 * Group keys as small integer ids, so that grouping indexes typed arrays instead of hashing row
 * objects. Dictionary codes, bools and 8/16-bit integers are their own dense ids; other types get
 * ids from a Map of their values (an int64 or utf8 key makes a bigint or string per row there).
 */

/** A group-key value in a result: strings for dictionary and utf8, bigint for int64. */
export type KeyValue = number | bigint | string | boolean | null;

/** Turns a key column's cells into ids and back. */
export interface KeyEncoder {
  /** Writes the id of each selected row `sel[k]` (k < m) into `out[k]`. */
  encode(v: ChunkView, sel: Int32Array, m: number, out: Int32Array): void;
  /** The value of an id. */
  value(id: number): KeyValue;
  /** One more than the largest id given so far (dense encoders: than any id they can give). */
  bound(): number;
}

const SMALL: Readonly<Record<string, number>> = { int8: 128, uint8: 0, int16: 32768, uint16: 0 };

/** The encoder of group-key column `c`. */
export function keyEncoder(ctx: QueryContext, c: QueryColumn): KeyEncoder {
  if (c.type === 'dictionary') {
    const nullId = ctx.snap.domainSize(c.domain!);
    return {
      encode(v, sel, m, out) {
        const codes = v.values as Int32Array;
        const validity = v.validity;
        if (validity === null) for (let k = 0; k < m; k++) out[k] = codes[sel[k]!]!;
        else
          for (let k = 0; k < m; k++) {
            const i = sel[k]!;
            out[k] = isValid(validity, i) ? codes[i]! : nullId;
          }
      },
      value: (id) => (id === nullId ? null : ctx.decode(c.domain!, id)),
      bound: () => nullId + 1,
    };
  }
  if (c.type === 'bool') {
    return {
      encode(v, sel, m, out) {
        const bits = v.values as Uint8Array;
        for (let k = 0; k < m; k++) {
          const i = sel[k]!;
          out[k] = isValid(v.validity, i) ? (bits[i >> 3]! >> (i & 7)) & 1 : 2;
        }
      },
      value: (id) => (id === 2 ? null : id === 1),
      bound: () => 3,
    };
  }
  const offset = SMALL[c.type];
  if (offset !== undefined) {
    return {
      encode(v, sel, m, out) {
        const x = v.values as Int16Array;
        for (let k = 0; k < m; k++) {
          const i = sel[k]!;
          out[k] = isValid(v.validity, i) ? x[i]! + offset : 65536;
        }
      },
      value: (id) => (id === 65536 ? null : id - offset),
      bound: () => 65537,
    };
  }
  // Any other type: ids from a map of values (Map keys are SameValueZero: -0 joins 0, NaN one group).
  const ids = new Map<KeyValue, number>();
  const values: KeyValue[] = [];
  const idOf = (x: KeyValue): number => {
    let id = ids.get(x);
    if (id === undefined) {
      id = values.length;
      ids.set(x, id);
      values.push(typeof x === 'number' && x === 0 ? 0 : x);
    }
    return id;
  };
  return {
    encode(v, sel, m, out) {
      const h = c.type === 'timestamp' ? halves(v) : null;
      for (let k = 0; k < m; k++) {
        const i = sel[k]!;
        let x: KeyValue;
        if (!isValid(v.validity, i)) x = null;
        else if (h !== null) x = halvesNumber(h, i);
        else if (c.type === 'utf8') x = utf8At(v.values as Uint8Array, v.offsets![i]!, v.offsets![i + 1]!);
        else x = (v.values as Float64Array)[i]!;
        out[k] = idOf(x);
      }
    },
    value: (id) => values[id]!,
    bound: () => values.length,
  };
}
