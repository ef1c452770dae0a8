import type { ChunkView } from '../../store/arrow-view.js';
import type { Snapshot } from '../../store/snapshot.js';

// Raw-array helpers of the scans the query engine does not express (placement scores, execution
// times, peer links, orphans): one loop per chunk over zero-copy views of one pinned snapshot.

/** Whether row `i` of a chunk is not null. */
export const valid = (c: ChunkView, i: number): boolean =>
  c.validity === null || ((c.validity[i >> 3]! >> (i & 7)) & 1) === 1;

/** Bit `i` of a bool chunk. */
export const bit = (c: ChunkView, i: number): boolean => ((c.values[i >> 3] as number) >> (i & 7)) % 2 === 1;

/**
 * An int64 or timestamp chunk read as doubles without a bigint per row: its 32-bit halves
 * (little-endian), value = hi * 2^32 + lo. Exact up to 2^53.
 */
export function halves(c: ChunkView): Int32Array {
  const v = c.values;
  return new Int32Array(v.buffer, v.byteOffset, c.length * 2);
}

/** Row `i` of a chunk read by `halves`. */
export const at64 = (h: Int32Array, i: number): number => h[2 * i + 1]! * 4294967296 + (h[2 * i]! >>> 0);

/** The chunks of several columns of `table`, group by group. */
export function columns(snap: Snapshot, table: string, names: readonly string[]): ChunkView[][] {
  return names.map((n) => snap.chunks(table, n));
}

/** Per task type code: how many completed tasks have both times, and the sum of their durations in ms. */
export function completedDurations(snap: Snapshot): { n: Float64Array; ms: Float64Array } {
  const types = snap.domainSize('task_type');
  const n = new Float64Array(types);
  const ms = new Float64Array(types);
  const done = snap.codeOf('task_status', 'completed');
  if (done < 0) return { n, ms };
  const [status, type, start, end] = columns(snap, 'tasks', [
    'status',
    'task_type',
    'start_time',
    'end_time',
  ]);
  for (let g = 0; g < status!.length; g++) {
    const st = status![g]!;
    const codes = st.values;
    const ty = type![g]!.values;
    const s = start![g]!;
    const e = end![g]!;
    const sh = halves(s);
    const eh = halves(e);
    for (let i = 0; i < st.length; i++) {
      if (codes[i] !== done || !valid(s, i) || !valid(e, i)) continue;
      const t = ty[i] as number;
      n[t] = n[t]! + 1;
      ms[t] = ms[t]! + at64(eh, i) - at64(sh, i);
    }
  }
  return { n, ms };
}
