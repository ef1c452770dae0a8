import type { ChunkView } from '../store/arrow-view.js';
import type { Snapshot } from '../store/snapshot.js';
import type { QueryColumn, ResolvedPlan } from './resolve.js';

/*
 * The join along a shared key domain. Once per query, the joined table is turned into arrays
 * indexed by the join key (a dictionary code, or an integer id): the joined row's position, and
 * for each joined column the scan needs, its value and validity. A scanned chunk of the main
 * table then gets each joined column as a chunk-shaped view gathered through its key column: the
 * filter, group-by and sort code reads it like any other chunk, and no row is looked up by key.
 */

/** Per key value: the joined row's position (-1: none) and the joined columns' values. */
export interface JoinIndex {
  /** Row position in the joined table by key (code or id); -1 where no row has that key. */
  readonly positions: Int32Array;
  /** Per scan slot of a joined column: its values by key, in the chunk's typed-array class. */
  readonly values: (
    | Float64Array
    | Float32Array
    | Int32Array
    | Uint32Array
    | Int16Array
    | Uint16Array
    | Int8Array
    | Uint8Array
    | BigInt64Array
    | null
  )[];
  /** Per scan slot of a joined column: 1 where the key's row has a non-null value. */
  readonly valid: (Uint8Array | null)[];
  /** Per scan slot: whether a kept row can see a null (a left join, or a nullable column). */
  readonly nullable: boolean[];
  /** Per scan slot: whether the column is a bool (a bitmap in chunks, a byte per key here). */
  readonly bits: boolean[];
  /** The chunk-shaped views a chunk's gather writes into, reused chunk after chunk. */
  readonly scratch: (ScratchView | null)[];
}

interface ScratchView {
  values: ChunkView['values'];
  validity: Uint8Array;
}

type AnyTyped = NonNullable<JoinIndex['values'][number]>;

/** Builds the join index of a query; null when it has no join. */
export function buildJoinIndex(snap: Snapshot, r: ResolvedPlan): JoinIndex | null {
  if (r.joined === null || r.joinOn === null) return null;
  const right = r.joined;
  const keyCol = right.key!;
  const keyChunks = snap.chunks(right.name, keyCol);
  const groupSize = snap.rowGroupSize(right.name);
  const dictionaryKey = r.joinOn.type === 'dictionary';
  let size: number;
  if (dictionaryKey) size = snap.domainSize(r.joinOn.domain!);
  else {
    // Integer keys are dense non-negative ids: an array up to the largest one.
    let max = -1;
    for (const c of keyChunks) {
      const v = c.values as Int32Array;
      for (let i = 0; i < c.length; i++) if (v[i]! > max) max = v[i]!;
    }
    size = max + 1;
  }
  const positions = new Int32Array(size).fill(-1);
  for (let g = 0; g < keyChunks.length; g++) {
    const c = keyChunks[g]!;
    const v = c.values as Int32Array;
    const base = g * groupSize;
    for (let i = 0; i < c.length; i++) positions[v[i]!] = base + i;
  }
  const values: JoinIndex['values'] = [];
  const valid: JoinIndex['valid'] = [];
  const scratch: JoinIndex['scratch'] = [];
  const bits: boolean[] = [];
  const nullable: boolean[] = [];
  const mainGroup = snap.rowGroupSize(r.main.name);
  for (const col of r.columns) {
    if (col.side !== 'joined') {
      values.push(null);
      valid.push(null);
      scratch.push(null);
      bits.push(false);
      nullable.push(false);
      continue;
    }
    const { byKey, ok } = gatherByKey(snap, right.name, col, positions, groupSize);
    values.push(byKey);
    bits.push(col.type === 'bool');
    nullable.push(col.nullable);
    valid.push(ok);
    const out =
      col.type === 'bool'
        ? new Uint8Array((mainGroup + 7) >> 3)
        : new (byKey.constructor as new (n: number) => AnyTyped)(mainGroup);
    scratch.push({ values: out, validity: new Uint8Array((mainGroup + 7) >> 3) });
  }
  return { positions, values, valid, nullable, bits, scratch };
}

/** One joined column's values by key: the value of the row `positions[key]` names. */
function gatherByKey(
  snap: Snapshot,
  table: string,
  col: QueryColumn,
  positions: Int32Array,
  groupSize: number,
): { byKey: AnyTyped; ok: Uint8Array } {
  const chunks = snap.chunks(table, col.stored);
  const n = positions.length;
  const ok = new Uint8Array(n);
  const first = chunks[0]?.values;
  const Ctor = (col.type === 'bool' ? Uint8Array : (first?.constructor ?? Float64Array)) as new (
    n: number,
  ) => AnyTyped;
  const byKey = new Ctor(n);
  for (let k = 0; k < n; k++) {
    const p = positions[k]!;
    if (p < 0) continue;
    const c = chunks[Math.floor(p / groupSize)]!;
    const i = p % groupSize;
    if (c.validity !== null && (c.validity[i >> 3]! & (1 << (i & 7))) === 0) continue;
    ok[k] = 1;
    if (col.type === 'bool') byKey[k] = ((c.values as Uint8Array)[i >> 3]! >> (i & 7)) & 1;
    else (byKey as Float64Array)[k] = (c.values as Float64Array)[i]!;
  }
  return { byKey, ok };
}

/**
 * Writes, for the `n` rows of a main-table chunk whose join keys are `keys`, which rows have a
 * match into `matched` (1/0), and gathers the joined columns into `views` (their scan slots).
 */
export function gatherChunk(
  index: JoinIndex,
  keys: ChunkView,
  n: number,
  matched: Uint8Array,
  views: ChunkView[],
): void {
  const pos = index.positions;
  const size = pos.length;
  const kv = keys.values as Int32Array;
  const kval = keys.validity;
  for (let i = 0; i < n; i++) {
    const k = kv[i]!;
    matched[i] =
      (kval === null || (kval[i >> 3]! & (1 << (i & 7))) !== 0) && k >= 0 && k < size && pos[k]! >= 0 ? 1 : 0;
  }
  for (let s = 0; s < index.values.length; s++) {
    const byKey = index.values[s];
    if (byKey === null || byKey === undefined) continue;
    const sc = index.scratch[s]!;
    const isBitmap = index.bits[s]!;
    if (isBitmap) (sc.values as Uint8Array).fill(0, 0, (n + 7) >> 3);
    if (!index.nullable[s]) {
      // Never null for a matched row (an inner join of a non-null column): no validity to build.
      // Unmatched rows keep stale values, which nothing reads: they are never kept.
      const out = sc.values as Float64Array;
      for (let i = 0; i < n; i++) {
        if (matched[i] === 0) continue;
        if (isBitmap) {
          if (byKey[kv[i]!]) (out as unknown as Uint8Array)[i >> 3]! |= 1 << (i & 7);
        } else out[i] = (byKey as Float64Array)[kv[i]!]!;
      }
      views[s] = { length: n, values: sc.values, validity: null, offsets: null };
      continue;
    }
    const ok = index.valid[s]!;
    const validity = sc.validity;
    validity.fill(0, 0, (n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      if (matched[i] === 0) continue;
      const k = kv[i]!;
      if (ok[k] === 0) continue;
      validity[i >> 3]! |= 1 << (i & 7);
      if (isBitmap) {
        if (byKey[k]) (sc.values as Uint8Array)[i >> 3]! |= 1 << (i & 7);
      } else (sc.values as Float64Array)[i] = (byKey as Float64Array)[k]!;
    }
    views[s] = { length: n, values: sc.values, validity, offsets: null };
  }
}
