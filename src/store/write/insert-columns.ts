import {
  type Data,
  Dictionary,
  Field,
  Int32,
  List,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  type Vector,
} from 'apache-arrow';
import type { TxDomain } from '../domain-writer.js';
import type { ColumnLayout, TableLayout } from '../layout.js';
import type { SegmentSource } from '../read.js';
import type { Cell } from '../values.js';
import type { Sources } from './load.js';

/*
 * The columns that `insertRows` fills with checked cells, and their Arrow data for the bulk
 * loader's fill. Strings go into Utf8 data that the fill interns row by row straight from the bytes,
 * except those of a domain a narrow (8- or 16-bit) column uses: an insert must fail before it
 * writes when a new string would get a code the column cannot hold, so each distinct string of
 * such a domain is looked up as it first appears and given the code sequential inserts would give
 * it (see DomainStrings). Such domains have few strings, which makes this cheap where it runs.
 */

const NUMBER = 0;
const BOOL = 1;
/** int64 of mode 'number', and timestamps: two 32-bit halves per value. */
const INT64_NUMBER = 2;
const INT64 = 3;
/** A dictionary column of a narrow domain: entries of its DomainStrings. */
const ENTRY = 4;
/** A utf8 column, or a dictionary column of a wide domain: strings. */
const STRING = 5;
const ENTRY_LIST = 6;
const STRING_LIST = 7;

/** The distinct strings of one narrow domain named by the rows, in order of first appearance. */
export class DomainStrings {
  readonly domain: TxDomain;
  readonly entries = new Map<string, number>();
  readonly strings: string[] = [];
  /** Per entry: its code before the call, or -1 for a new string. */
  readonly codes: number[] = [];
  /** Per entry: the code it will have (its own, or the next new one: they are interned in order). */
  readonly will: number[] = [];
  /** The domain's length when the call began. */
  readonly #length: number;
  #fresh = 0;
  readonly #src: SegmentSource;

  constructor(domain: TxDomain, src: SegmentSource) {
    this.domain = domain;
    this.#length = domain.length;
    this.#src = src;
  }

  /** The entry of `s`, looking it up in the domain the first time. */
  entry(s: string): number {
    let e = this.entries.get(s);
    if (e === undefined) {
      e = this.strings.length;
      this.entries.set(s, e);
      this.strings.push(s);
      const code = this.domain.lookup(this.#src, s);
      this.codes.push(code);
      this.will.push(code >= 0 ? code : this.#length + this.#fresh++);
    }
    return e;
  }
}

/**
 * One stored column's checked values. Every field has the same type in every column, so the row
 * loop's loads and stores each see one shape and one array type.
 */
export class Column {
  readonly col: ColumnLayout;
  readonly kind: number;
  readonly strings: DomainStrings | null;
  /** A nullable column's validity bitmap (empty otherwise). */
  readonly validity: Uint8Array;
  nulls = 0;
  readonly num: Float64Array;
  /** Entries of `strings` (a list's: per item), or an int64's two halves per value. */
  ints: Int32Array;
  readonly bits: Uint8Array;
  readonly big: BigInt64Array;
  /** A string column's strings, a null as ''; a list's items. */
  readonly strs: string[] = [];
  /** Lists: where each row's items start. */
  readonly offsets: Int32Array;
  /** Items of an entry list written so far. */
  used = 0;
  /** The first code of this row that the column cannot hold, with its string; -1 if none. */
  late = -1;
  lateString = '';

  constructor(col: ColumnLayout, n: number, strings: DomainStrings | null) {
    this.col = col;
    this.strings = strings;
    this.validity = new Uint8Array(col.nullable ? (n + 7) >> 3 : 0);
    const kind =
      col.kind === 'list'
        ? strings === null
          ? STRING_LIST
          : ENTRY_LIST
        : col.kind === 'utf8'
          ? STRING
          : col.domain >= 0
            ? strings === null
              ? STRING
              : ENTRY
            : col.shift < 0
              ? BOOL
              : col.view !== 'i64'
                ? NUMBER
                : col.asNumber
                  ? INT64_NUMBER
                  : INT64;
    this.kind = kind;
    this.num = new Float64Array(kind === NUMBER ? n : 0);
    this.ints = new Int32Array(
      kind === ENTRY ? n : kind === ENTRY_LIST ? n * 2 : kind === INT64_NUMBER ? 2 * n : 0,
    );
    this.bits = new Uint8Array(kind === BOOL ? (n + 7) >> 3 : 0);
    this.big = new BigInt64Array(kind === INT64 ? n : 0);
    this.offsets = new Int32Array(kind === ENTRY_LIST || kind === STRING_LIST ? n + 1 : 0);
  }

  /** Adds row `r`'s checked cell (rows come in order, each once). */
  add(r: number, cell: Cell): void {
    const kind = this.kind;
    if (cell === null) {
      this.nulls++;
      if (kind === STRING) this.strs.push('');
      else if (kind === STRING_LIST) this.offsets[r + 1] = this.strs.length;
      else if (kind === ENTRY_LIST) this.offsets[r + 1] = this.used;
      return;
    }
    if (this.validity.length > 0) this.validity[r >> 3]! |= 1 << (r & 7);
    switch (kind) {
      case NUMBER:
        this.num[r] = cell as number;
        return;
      case BOOL:
        if (cell === true) this.bits[r >> 3]! |= 1 << (r & 7);
        return;
      case INT64_NUMBER: {
        // Two halves, as the store writes them: a bigint per cell would be garbage.
        const hi = Math.floor((cell as number) / 0x1_0000_0000);
        this.ints[2 * r] = (cell as number) - hi * 0x1_0000_0000;
        this.ints[2 * r + 1] = hi;
        return;
      }
      case INT64:
        this.big[r] = cell as bigint;
        return;
      case STRING:
        this.strs.push(cell as string);
        return;
      case ENTRY:
        this.ints[r] = this.#entry(cell as string);
        return;
      case STRING_LIST: {
        const items = cell as readonly string[];
        for (let i = 0; i < items.length; i++) this.strs.push(items[i]!);
        this.offsets[r + 1] = this.strs.length;
        return;
      }
      default:
        this.#addEntries(cell as readonly string[], r);
    }
  }

  #addEntries(items: readonly string[], r: number): void {
    if (this.used + items.length > this.ints.length) {
      const grown = new Int32Array(Math.max(this.ints.length * 2, this.used + items.length));
      grown.set(this.ints.subarray(0, this.used));
      this.ints = grown;
    }
    for (let i = 0; i < items.length; i++) this.ints[this.used++] = this.#entry(items[i]!);
    this.offsets[r + 1] = this.used;
  }

  #entry(s: string): number {
    const ds = this.strings!;
    const e = ds.entry(s);
    if (this.late < 0 && ds.will[e]! > this.col.max) {
      this.late = ds.will[e]!;
      this.lateString = s;
    }
    return e;
  }

  /** The column as Arrow data; `vectors` holds each narrow domain's strings, by domain. */
  data(n: number, vectors: ReadonlyMap<number, Vector>): Data {
    const col = this.col;
    const nulls = this.nulls > 0 ? { nullBitmap: this.validity, nullCount: this.nulls } : { nullCount: 0 };
    const dictionary = vectors.get(col.domain);
    switch (this.kind) {
      case ENTRY:
        return makeData({ type: entryType(col), length: n, data: this.ints, dictionary, ...nulls } as never);
      case STRING: {
        const { offsets, bytes } = utf8Of(this.strs);
        return makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes, ...nulls });
      }
      case ENTRY_LIST: {
        const type = entryType(col);
        const items = this.ints.subarray(0, this.used);
        const child = makeData({ type, length: this.used, data: items, dictionary, nullCount: 0 } as never);
        return listData(type, n, this.offsets, child, nulls);
      }
      case STRING_LIST: {
        const { offsets, bytes } = utf8Of(this.strs);
        const child = makeData({
          type: new Utf8(),
          length: this.strs.length,
          valueOffsets: offsets,
          data: bytes,
        });
        return listData(new Utf8(), n, this.offsets, child, nulls);
      }
      case BOOL:
        return makeData({ type: col.arrowType, length: n, data: this.bits, ...nulls } as never);
      case INT64:
        return makeData({ type: col.arrowType, length: n, data: this.big, ...nulls } as never);
      case INT64_NUMBER:
        return makeData({
          type: col.arrowType,
          length: n,
          data: new BigInt64Array(this.ints.buffer),
          ...nulls,
        } as never);
      default: {
        // Checked numbers, in range for the column: set() converts them as a store would.
        const values = new VIEWS[col.view as keyof typeof VIEWS](n);
        values.set(this.num);
        return makeData({ type: col.arrowType, length: n, data: values, ...nulls } as never);
      }
    }
  }
}

const VIEWS = {
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

function listData(
  item: Utf8 | Dictionary,
  n: number,
  offsets: Int32Array,
  child: Data,
  nulls: { nullBitmap?: Uint8Array; nullCount: number },
): Data {
  return makeData({
    type: new List(new Field('item', item, false)),
    length: n,
    valueOffsets: offsets,
    child,
    ...nulls,
  } as never);
}

/** The Arrow type of a narrow domain's column here: a dictionary indexed by Int32 entries. */
function entryType(col: ColumnLayout): Dictionary {
  const item = col.kind === 'list' ? (col.arrowType as List).children[0]!.type : col.arrowType;
  const d = item as Dictionary;
  return new Dictionary(d.dictionary, new Int32(), d.id);
}

/**
 * The UTF-8 of `strings`, one after another, and where each starts: one native encoding of them
 * joined, not a JavaScript loop per character.
 */
function utf8Of(strings: readonly string[]): { offsets: Int32Array; bytes: Uint8Array } {
  const joined = strings.join('');
  const buf = Buffer.from(joined, 'utf8');
  const offsets = new Int32Array(strings.length + 1);
  // As many bytes as UTF-16 units: all ASCII, so each string's bytes are its units.
  const ascii = buf.length === joined.length;
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    at += ascii ? strings[i]!.length : Buffer.byteLength(strings[i]!, 'utf8');
    offsets[i + 1] = at;
  }
  return { offsets, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
}

/** A Utf8 vector of `strings`. */
export function utf8Vector(strings: readonly string[]): Vector {
  const { offsets, bytes } = utf8Of(strings);
  return makeVector(
    makeData({ type: new Utf8(), length: strings.length, valueOffsets: offsets, data: bytes }),
  );
}

/** The rows as one record batch whose fields are the table's (structs nested), for the record. */
export function recordBatch(t: TableLayout, sources: Sources, n: number): RecordBatch {
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const f of t.fields) {
    if (f.struct === null) {
      const data = sources[f.columns[0]!.index]!;
      fields.push(new Field(f.name, data.type, f.columns[0]!.nullable));
      children.push(data);
      continue;
    }
    const parts = f.columns.map((c) => sources[c.index]!);
    const type = new Struct(f.columns.map((c, i) => new Field(c.leaf, parts[i]!.type, c.nullable)));
    fields.push(new Field(f.name, type, false));
    children.push(makeData({ type, length: n, nullCount: 0, children: parts }));
  }
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: n, nullCount: 0, children }),
  );
}
