import { type Data, Field, Int32, List, makeData, RecordBatch, Schema, Struct, Utf8 } from 'apache-arrow';
import { VIEW_ARRAYS } from '../arrow-view.js';
import type { BlockOps, TxDomain } from '../domain-writer.js';
import type { ColumnLayout, TableLayout } from '../layout.js';
import type { Cell } from '../values.js';

/*
 * The columns that `insertRows` fills with checked cells, and their Arrow data: for the bulk
 * loader's fill, and for the transaction's record. A dictionary column's strings are interned as
 * the rows are read (insertRows rolls the domains back if a later row is bad), so the fill copies
 * codes, and a string's one hash probe serves its lookup and its entry. The record keeps the
 * strings themselves, and only when there is a record.
 */

const NUMBER = 0;
const BOOL = 1;
/** int64 of mode 'number', and timestamps: two 32-bit halves per value. */
const INT64_NUMBER = 2;
const INT64 = 3;
/** A dictionary column: codes. */
const CODE = 4;
const STRING = 5;
const CODE_LIST = 6;

/**
 * One stored column's checked values. Every field has the same type in every column, so the row
 * loop's loads and stores each see one shape and one array type.
 */
export class Column {
  readonly col: ColumnLayout;
  readonly kind: number;
  /** A dictionary or list column's domain, and how to intern into it. */
  readonly #domain: TxDomain | null;
  readonly #ops: BlockOps;
  /** Whether the strings are kept for the record (utf8 columns keep them anyway). */
  readonly #keep: boolean;
  /** A nullable column's validity bitmap (empty otherwise). */
  readonly validity: Uint8Array;
  nulls = 0;
  readonly num: Float64Array;
  /** Codes (a list's: per item), or an int64's two halves per value. */
  ints: Int32Array;
  readonly bits: Uint8Array;
  readonly big: BigInt64Array;
  /** A string column's strings, a null as ''; a list's items. */
  readonly strs: string[] = [];
  /** Lists: where each row's items start. */
  readonly offsets: Int32Array;
  /** Items of a list written so far. */
  used = 0;
  /** The first code of this row that the column's width cannot hold, with its string; -1 if none. */
  late = -1;
  lateString = '';

  constructor(col: ColumnLayout, n: number, domain: TxDomain | null, ops: BlockOps, keep: boolean) {
    this.col = col;
    this.#domain = domain;
    this.#ops = ops;
    this.validity = new Uint8Array(col.nullable ? (n + 7) >> 3 : 0);
    const kind =
      col.kind === 'list'
        ? CODE_LIST
        : col.kind === 'utf8'
          ? STRING
          : col.domain >= 0
            ? CODE
            : col.shift < 0
              ? BOOL
              : col.view !== 'i64'
                ? NUMBER
                : col.asNumber
                  ? INT64_NUMBER
                  : INT64;
    this.kind = kind;
    this.#keep = keep || kind === STRING;
    this.num = new Float64Array(kind === NUMBER ? n : 0);
    this.ints = new Int32Array(
      kind === CODE ? n : kind === CODE_LIST ? n * 2 : kind === INT64_NUMBER ? 2 * n : 0,
    );
    this.bits = new Uint8Array(kind === BOOL ? (n + 7) >> 3 : 0);
    this.big = new BigInt64Array(kind === INT64 ? n : 0);
    this.offsets = new Int32Array(kind === CODE_LIST ? n + 1 : 0);
  }

  /** Adds row `r`'s checked cell (rows come in order, each once), interning its strings. */
  add(r: number, cell: Cell): void {
    const kind = this.kind;
    if (cell === null) {
      this.nulls++;
      if (kind === CODE_LIST) this.offsets[r + 1] = this.used;
      else if (this.#keep && (kind === STRING || kind === CODE)) this.strs.push('');
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
      case CODE:
        this.ints[r] = this.#code(cell as string);
        if (this.#keep) this.strs.push(cell as string);
        return;
      default:
        this.#addItems(cell as readonly string[], r);
    }
  }

  #addItems(items: readonly string[], r: number): void {
    if (this.used + items.length > this.ints.length) {
      const grown = new Int32Array(Math.max(this.ints.length * 2, this.used + items.length));
      grown.set(this.ints.subarray(0, this.used));
      this.ints = grown;
    }
    for (let i = 0; i < items.length; i++) {
      this.ints[this.used++] = this.#code(items[i]!);
      if (this.#keep) this.strs.push(items[i]!);
    }
    this.offsets[r + 1] = this.used;
  }

  #code(s: string): number {
    const code = this.#domain!.intern(this.#ops, s);
    if (this.late < 0 && code > this.col.max) {
      this.late = code;
      this.lateString = s;
    }
    return code;
  }

  /** The column as the fill takes it: a dictionary column as its codes. */
  data(n: number): Data {
    const col = this.col;
    const nulls = this.#nulls();
    switch (this.kind) {
      case CODE:
        return makeData({ type: new Int32(), length: n, data: this.ints, ...nulls });
      case CODE_LIST: {
        const child = makeData({
          type: new Int32(),
          length: this.used,
          data: this.ints.subarray(0, this.used),
        });
        return makeData({
          type: new List(new Field('item', new Int32(), false)),
          length: n,
          valueOffsets: this.offsets,
          child,
          ...nulls,
        });
      }
      case STRING:
        return this.#utf8(n);
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
        const values = new VIEW_ARRAYS[col.view as Exclude<typeof col.view, 'i64'>](n);
        values.set(this.num);
        return makeData({ type: col.arrowType, length: n, data: values, ...nulls } as never);
      }
    }
  }

  /** The column as the record holds it: a dictionary column as its strings. */
  recordData(n: number, data: Data): Data {
    if (this.kind === CODE) return this.#utf8(n);
    if (this.kind !== CODE_LIST) return data;
    const { offsets, bytes } = utf8Of(this.strs);
    const child = makeData({
      type: new Utf8(),
      length: this.strs.length,
      valueOffsets: offsets,
      data: bytes,
    });
    return makeData({
      type: new List(new Field('item', new Utf8(), false)),
      length: n,
      valueOffsets: this.offsets,
      child,
      ...this.#nulls(),
    });
  }

  #utf8(n: number): Data {
    const { offsets, bytes } = utf8Of(this.strs);
    return makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes, ...this.#nulls() });
  }

  #nulls(): { nullBitmap?: Uint8Array; nullCount: number } {
    return this.nulls > 0 ? { nullBitmap: this.validity, nullCount: this.nulls } : { nullCount: 0 };
  }
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

/** The rows as one record batch whose fields are the table's (structs nested), for the record. */
export function recordBatch(t: TableLayout, sources: readonly Data[], n: number): RecordBatch {
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
