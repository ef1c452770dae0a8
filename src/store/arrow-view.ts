import { type Data, makeData, RecordBatch, Struct, Table } from 'apache-arrow';
import type { SegmentViews } from '../memory/segments.js';
import { type ColumnLayout, GROUP_ENTRY, GROUP_HEADER, type TableLayout } from './layout.js';
import type { SegmentSource } from './read.js';

/** Zero-copy typed-array views of one chunk, for scans on raw arrays. */
export interface ChunkView {
  /** Rows in the chunk. */
  readonly length: number;
  /**
   * The values, exactly `length` of them (for bool, a bitmap of `length` bits). int64 and timestamp
   * columns are BigInt64Arrays. The array aliases the arena: never write to it, and do not use it
   * after the snapshot it came from is released.
   */
  readonly values: ChunkValues;
  /** The validity bitmap (bit set = not null), or null for non-nullable columns. */
  readonly validity: Uint8Array | null;
}

/** The typed arrays chunk values come in. */
export type ChunkValues =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array;

const CTORS = {
  u8: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  i64: BigInt64Array,
} as const;

/** Makes the views of one chunk at byte `chunk` of segment `v`, for its first `length` rows. */
export function chunkView(v: SegmentViews, chunk: number, col: ColumnLayout, length: number): ChunkView {
  const base = chunk + col.validityBytes;
  const values: ChunkValues =
    col.shift < 0
      ? new Uint8Array(v.sab, base, (length + 7) >> 3)
      : new CTORS[col.view](v.sab as unknown as ArrayBuffer, base, length);
  const validity = col.nullable ? new Uint8Array(v.sab, chunk, (length + 7) >> 3) : null;
  return { length, values, validity };
}

function chunkData(v: SegmentViews, chunk: number, col: ColumnLayout, length: number): Data {
  const { values, validity } = chunkView(v, chunk, col, length);
  return makeData({
    type: col.arrowType,
    length,
    data: values,
    ...(validity === null ? {} : { nullBitmap: validity }),
  } as unknown as Parameters<typeof makeData>[0]);
}

interface CachedBatch {
  readonly birth: number;
  readonly batch: RecordBatch;
}

/**
 * A thread's cache of Arrow record batches, one per row-group block. A published row-group block
 * never changes (its row count and chunk references are fixed, and its chunks' rows below that
 * count are immutable), and a block reused after being freed has a new birth version, so
 * (reference, birth) names exactly one batch. A new version therefore rebuilds only the batches of
 * the row groups it changed.
 */
export class ArrowViewCache {
  #tables: Map<number, CachedBatch>[] = [];

  /** Builds the Arrow table of `t` from its directory at (dirSeg, dirOff) with `groups` groups. */
  table(src: SegmentSource, t: TableLayout, dirSeg: number, dirOff: number, groups: number): Table {
    const old = this.#tables[t.index];
    const next = new Map<number, CachedBatch>();
    const batches: RecordBatch[] = new Array(groups);
    if (groups === 0) {
      this.#tables[t.index] = next;
      return new Table(t.arrowSchema);
    }
    const dir = src.get(dirSeg).f64;
    const type = new Struct(t.arrowSchema.fields);
    for (let g = 0, e = (dirOff >> 3) + 2; g < groups; g++, e += 3) {
      const seg = dir[e]!;
      const off = dir[e + 1]!;
      const birth = dir[e + 2]!;
      const key = seg * 0x1_0000_0000 + off;
      let hit = old?.get(key);
      if (hit === undefined || hit.birth !== birth) {
        hit = { birth, batch: this.#batch(src, t, type, seg, off) };
      }
      next.set(key, hit);
      batches[g] = hit.batch;
    }
    this.#tables[t.index] = next;
    return new Table(t.arrowSchema, batches);
  }

  #batch(src: SegmentSource, t: TableLayout, type: Struct, seg: number, off: number): RecordBatch {
    const f64 = src.get(seg).f64;
    const b = off >> 3;
    const length = f64[b]!;
    const children = t.columns.map((col) => {
      const e = b + GROUP_HEADER + col.index * GROUP_ENTRY;
      return chunkData(src.get(f64[e]!), f64[e + 1]!, col, length);
    });
    return new RecordBatch(t.arrowSchema, makeData({ type, length, nullCount: 0, children }));
  }
}
