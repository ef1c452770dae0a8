import {
  type Data,
  type List,
  makeData,
  makeVector,
  RecordBatch,
  Struct,
  Table,
  Utf8,
  type Vector,
} from 'apache-arrow';
import {
  type ColumnLayout,
  D_BYTE_LENGTH,
  D_BYTES_BIRTH,
  D_BYTES_OFF,
  D_BYTES_SEG,
  D_LENGTH,
  D_OFF_BIRTH,
  D_OFF_OFF,
  D_OFF_SEG,
  DOMAIN_WORDS,
  E_DATA_OFF,
  E_DATA_SEG,
  E_OFF,
  E_SEG,
  GROUP_ENTRY,
  GROUP_HEADER,
  type TableLayout,
} from './layout.js';
import { forEachGroup, type SegmentSource } from './read.js';

/** Zero-copy typed-array views of one chunk, for scans on raw arrays. */
export interface ChunkView {
  /** Rows in the chunk. */
  readonly length: number;
  /**
   * Fixed-width columns: the values, exactly `length` of them (for bool, a bitmap of `length`
   * bits; int64 and timestamp are BigInt64Arrays; dictionary columns hold codes). utf8 columns: the
   * UTF-8 bytes of all rows; list columns: the Int32 codes of all items, both indexed by `offsets`.
   * The array aliases the arena: never write to it, and do not use it after the snapshot it came
   * from is released.
   */
  readonly values: ChunkValues;
  /** The validity bitmap (bit set = not null), or null for non-nullable columns. */
  readonly validity: Uint8Array | null;
  /** utf8 and list columns: `length + 1` offsets into `values` (row i is [offsets[i], offsets[i+1])). */
  readonly offsets: Int32Array | null;
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

/** The typed array class of each column view. */
export const VIEW_ARRAYS = {
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

/**
 * Makes the views of one column's chunk, for its first `length` rows: `f64` holds the row-group
 * block and `e` is the column's entry in it.
 */
export function chunkView(
  src: SegmentSource,
  f64: Float64Array,
  e: number,
  col: ColumnLayout,
  length: number,
): ChunkView {
  const v = src.get(f64[e + E_SEG]!);
  const chunk = f64[e + E_OFF]!;
  const sab = v.sab as unknown as ArrayBuffer;
  const base = chunk + col.validityBytes;
  const validity = col.nullable ? new Uint8Array(sab, chunk, (length + 7) >> 3) : null;
  if (col.kind === 'fixed') {
    const values: ChunkValues =
      col.shift < 0
        ? new Uint8Array(sab, base, (length + 7) >> 3)
        : new VIEW_ARRAYS[col.view](sab, base, length);
    return { length, values, validity, offsets: null };
  }
  const offsets = new Int32Array(sab, base, length + 1);
  const items = offsets[length]!;
  const dSeg = f64[e + E_DATA_SEG]!;
  const data = dSeg < 0 ? null : (src.get(dSeg).sab as unknown as ArrayBuffer);
  const dOff = f64[e + E_DATA_OFF]!;
  const values =
    col.kind === 'utf8'
      ? data === null
        ? new Uint8Array(0)
        : new Uint8Array(data, dOff, items)
      : data === null
        ? new Int32Array(0)
        : new Int32Array(data, dOff, items);
  return { length, values, validity, offsets };
}

function chunkData(
  src: SegmentSource,
  f64: Float64Array,
  e: number,
  col: ColumnLayout,
  length: number,
  dictionary: Vector | undefined,
): Data {
  const { values, validity, offsets } = chunkView(src, f64, e, col, length);
  const nulls = validity === null ? {} : { nullBitmap: validity };
  let props: Record<string, unknown>;
  if (col.kind === 'utf8') {
    props = { type: col.arrowType, length, valueOffsets: offsets, data: values, ...nulls };
  } else if (col.kind === 'list') {
    const item = (col.arrowType as List).children[0]!.type;
    const child = makeData({
      type: item,
      length: values.length,
      data: values as Int32Array,
      dictionary,
    } as never);
    props = { type: col.arrowType, length, valueOffsets: offsets, child, ...nulls };
  } else {
    props = {
      type: col.arrowType,
      length,
      data: values,
      ...nulls,
      ...(dictionary === undefined ? {} : { dictionary }),
    };
  }
  return makeData(props as unknown as Parameters<typeof makeData>[0]);
}

interface CachedBatch {
  readonly birth: number;
  readonly batch: RecordBatch;
  /** The dictionary vector of each dictionary column, in column order, that the batch uses. */
  readonly dicts: readonly Vector[];
}

interface CachedDictionary {
  readonly words: Float64Array;
  readonly vector: Vector;
}

/** The domain-entry words that pin down a dictionary's content: blocks, births and length. */
const DICT_KEY = [
  D_OFF_SEG,
  D_OFF_OFF,
  D_OFF_BIRTH,
  D_BYTES_SEG,
  D_BYTES_OFF,
  D_BYTES_BIRTH,
  D_LENGTH,
] as const;

/**
 * A thread's cache of Arrow record batches, one per row-group block, and of one dictionary Vector
 * per domain. A published row-group block never changes (its row count and chunk references are
 * fixed, and its chunks' rows below that count are immutable), and a block reused after being
 * freed has a new birth version, so (reference, birth) names exactly one batch. A new version
 * therefore rebuilds only the batches of the row groups it changed, and those whose dictionaries
 * grew: every batch of a version shares one dictionary Vector per domain, as Arrow's IPC writer
 * requires.
 */
export class ArrowViewCache {
  #tables: Map<number, CachedBatch>[] = [];
  #dicts: (CachedDictionary | undefined)[] = [];

  /**
   * Builds the Arrow table of `t` from its directory at (dirSeg, dirOff) with `groups` groups;
   * `root` and `domainWord` locate the version's dictionary domains.
   */
  table(
    src: SegmentSource,
    t: TableLayout,
    dirSeg: number,
    dirOff: number,
    groups: number,
    root: Float64Array,
    domainWord: (domain: number) => number,
  ): Table {
    const dicts: Vector[] = [];
    for (const col of t.columns)
      if (col.domain >= 0) dicts.push(this.#dictionary(src, root, domainWord(col.domain), col.domain));
    const old = this.#tables[t.index];
    const next = new Map<number, CachedBatch>();
    this.#tables[t.index] = next;
    if (groups === 0) return new Table(t.arrowSchema);
    const batches: RecordBatch[] = new Array(groups);
    const type = new Struct(t.arrowSchema.fields);
    forEachGroup(src, dirSeg, dirOff, groups, (g, seg, off, birth) => {
      const key = seg * 0x1_0000_0000 + off;
      let hit = old?.get(key);
      if (hit === undefined || hit.birth !== birth || !sameVectors(hit.dicts, dicts)) {
        hit = { birth, batch: this.#batch(src, t, type, seg, off, dicts), dicts };
      }
      next.set(key, hit);
      batches[g] = hit.batch;
    });
    return new Table(t.arrowSchema, batches);
  }

  /** The Utf8 dictionary Vector of a domain as of a version, over the arena's bytes. */
  #dictionary(src: SegmentSource, root: Float64Array, w: number, d: number): Vector {
    const cached = this.#dicts[d];
    if (cached !== undefined && DICT_KEY.every((k) => cached.words[k] === root[w + k])) return cached.vector;
    const length = root[w + D_LENGTH]!;
    const empty = root[w + D_OFF_SEG]! < 0;
    const valueOffsets = empty
      ? new Int32Array(1)
      : new Int32Array(
          src.get(root[w + D_OFF_SEG]!).sab as unknown as ArrayBuffer,
          root[w + D_OFF_OFF]!,
          length + 1,
        );
    const data = empty
      ? new Uint8Array(0)
      : new Uint8Array(src.get(root[w + D_BYTES_SEG]!).sab, root[w + D_BYTES_OFF]!, root[w + D_BYTE_LENGTH]!);
    const vector = makeVector(makeData({ type: new Utf8(), length, valueOffsets, data, nullCount: 0 }));
    this.#dicts[d] = { words: root.slice(w, w + DOMAIN_WORDS), vector };
    return vector;
  }

  #batch(
    src: SegmentSource,
    t: TableLayout,
    type: Struct,
    seg: number,
    off: number,
    dicts: readonly Vector[],
  ): RecordBatch {
    const f64 = src.get(seg).f64;
    const b = off >> 3;
    const length = f64[b]!;
    let k = 0;
    const leaf = (col: ColumnLayout) =>
      chunkData(
        src,
        f64,
        b + GROUP_HEADER + col.index * GROUP_ENTRY,
        col,
        length,
        col.domain >= 0 ? dicts[k++] : undefined,
      );
    // Dictionaries were gathered in stored-column order, which is the fields' order flattened.
    const children = t.fields.map((f) =>
      f.struct === null
        ? leaf(f.columns[0]!)
        : makeData({ type: f.struct, length, nullCount: 0, children: f.columns.map(leaf) }),
    );
    return new RecordBatch(t.arrowSchema, makeData({ type, length, nullCount: 0, children }));
  }
}

function sameVectors(a: readonly Vector[], b: readonly Vector[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
