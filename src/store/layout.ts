import {
  Schema as ArrowSchema,
  type DataType,
  Dictionary,
  Field,
  Int8,
  Int16,
  Int32,
  List,
  Struct,
  Utf8,
} from 'apache-arrow';
import { StateError } from '../errors.js';
import type { ColumnSchema, Schema } from '../schema/schema.js';
import {
  arrowTypeOf,
  type ColumnTypeName,
  type FixedTypeName,
  layoutOf,
  type ViewKind,
} from '../schema/types.js';

/*
 * Block formats. Metadata blocks are arrays of Float64 words (every reference, count and version is
 * an integer below 2^53, exact in a double); chunks are Arrow buffers.
 *
 * Root (one per version):  [version, commitTime, tableCount, domainCount, metaSeg, metaOff,
 *                           metaBirth, metaBytes, then per table TABLE_WORDS words: dirSeg, dirOff,
 *                           dirBirth, rowCount, lastChanged, locSeg, locOff, locBirth; then per
 *                           domain DOMAIN_WORDS words (see D_*)]
 * Store metadata:          the key/value map as UTF-8 JSON (metaSeg -1: no metadata)
 * Domain offsets:          Int32 per code + 1: byte offset of each string in the domain's bytes
 * Domain bytes:            the strings' UTF-8, back to back
 * Domain hash index:       Int32 per slot: code + 1, 0 when empty (open addressing, linear probes)
 * Directory of a table:    [groupCount, pageCapacity, then per directory page: seg, off, birth]
 * Directory page:          per row group of the page (DIR_PAGE_GROUPS of them): seg, off, birth;
 *                          row group g is entry g & DIR_PAGE_MASK of page g >> DIR_PAGE_SHIFT. A
 *                          one-row change copies one page and the small top directory, so its
 *                          cost does not grow with the table.
 * Row group:               [rowCount, 0, then per column GROUP_ENTRY words (see E_*): chunkSeg,
 *                           chunkOff, chunkBirth, highWater, and for utf8 and list columns the data
 *                           block: dataSeg, dataOff, dataBirth, dataCapacity, dataHighWater,
 *                           dataEnd]
 * Key locator directory:   [pageCount, capacity, then per page: seg, off, birth, liveKeys]
 *                          (seg -1: no page; a page whose last key goes is freed)
 * Key locator page:        Int32 row position per key of the page, -1 when absent
 * Chunk:                   [validity bitmap, padded to 64 bytes, if nullable][values]; for utf8 and
 *                           list columns the values are Int32 offsets (rows + 1) into the data block
 *                           (UTF-8 bytes, or Int32 codes of the list's domain)
 *
 * A chunk's high-water mark is the largest row count that any published row group block gave it:
 * rows at or past it are invisible to every version, so they may be written in place.
 */

export const ROOT_HEADER = 8;
/** Words of the root header: the store metadata block (see src/store/meta.ts). */
export const R_META_SEG = 4;
export const R_META_OFF = 5;
export const R_META_BIRTH = 6;
export const R_META_BYTES = 7;
export const TABLE_WORDS = 8;
export const T_DIR_SEG = 0;
export const T_DIR_OFF = 1;
export const T_DIR_BIRTH = 2;
export const T_ROWS = 3;
export const T_CHANGED = 4;
export const T_LOC_SEG = 5;
export const T_LOC_OFF = 6;
export const T_LOC_BIRTH = 7;

export const DOMAIN_WORDS = 18;
export const D_OFF_SEG = 0;
export const D_OFF_OFF = 1;
export const D_OFF_BIRTH = 2;
export const D_OFF_CAP = 3;
export const D_BYTES_SEG = 4;
export const D_BYTES_OFF = 5;
export const D_BYTES_BIRTH = 6;
export const D_BYTES_CAP = 7;
export const D_LENGTH = 8;
export const D_BYTE_LENGTH = 9;
export const D_HASH_SEG = 10;
export const D_HASH_OFF = 11;
export const D_HASH_BIRTH = 12;
export const D_HASH_CAP = 13;
export const D_HASH_COUNT = 14;
export const D_CHANGED = 15;
/** Compactions so far: codes keep their strings within one epoch. */
export const D_EPOCH = 16;

export const DIR_HEADER = 2;
export const DIR_ENTRY = 3;
export const DIR_PAGE_SHIFT = 6;
/** Row groups per directory page. */
export const DIR_PAGE_GROUPS = 1 << DIR_PAGE_SHIFT;
export const DIR_PAGE_MASK = DIR_PAGE_GROUPS - 1;
export const DIR_PAGE_BYTES = DIR_PAGE_GROUPS * DIR_ENTRY * 8;
export const LOC_ENTRY = 4;
export const GROUP_HEADER = 2;
export const GROUP_ENTRY = 10;
/** Words of a row-group entry: the chunk, and for variable-length columns their data block. */
export const E_SEG = 0;
export const E_OFF = 1;
export const E_BIRTH = 2;
export const E_HWM = 3;
export const E_DATA_SEG = 4;
export const E_DATA_OFF = 5;
export const E_DATA_BIRTH = 6;
export const E_DATA_CAP = 7;
/** The largest data length (offsets[count]) any published row-group block gave this data block. */
export const E_DATA_HWM = 8;
/**
 * The data length of the group's rows (offsets[rowCount]), kept by every write that changes it, so
 * that copying a row-group block raises E_DATA_HWM without reading each chunk (a cache miss apiece
 * in a big table).
 */
export const E_DATA_END = 9;

export const PAGE_SHIFT = 12;
export const PAGE_KEYS = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_KEYS - 1;
export const PAGE_BYTES = PAGE_KEYS * 4;
/** Keys are dense ids below this bound (the locator directory is indexed by key >> PAGE_SHIFT). */
export const MAX_KEY = 2 ** 31 - 1;

/** Splits a packed block reference. */
export const segOf = (ref: number): number => Math.floor(ref / 0x1_0000_0000);
export const offOf = (ref: number): number => ref % 0x1_0000_0000;
export const packRef = (seg: number, off: number): number => seg * 0x1_0000_0000 + off;

/** Where and how one column lives in a chunk. */
export interface ColumnLayout {
  /** The stored column's name: a top-level column's, or "struct.child" for a struct's child. */
  readonly name: string;
  /** For a struct's child: the struct's name and the child's own name; null otherwise. */
  readonly parent: string | null;
  readonly leaf: string;
  readonly index: number;
  readonly type: ColumnTypeName;
  readonly nullable: boolean;
  /** How values are stored: fixed width, or offsets into a data block of bytes or of codes. */
  readonly kind: 'fixed' | 'utf8' | 'list';
  /** Index of the dictionary domain of a dictionary column, -1 for other columns. */
  readonly domain: number;
  readonly view: ViewKind;
  /** log2 of the value width; -1 for bool (a bitmap). */
  readonly shift: number;
  /** Bytes of the validity bitmap region (0 when not nullable). */
  readonly validityBytes: number;
  /** Bytes of the whole chunk. */
  readonly chunkBytes: number;
  readonly min: number;
  readonly max: number;
  /**
   * Whether rows read this 64-bit column as a number: timestamps, and int64 columns of mode
   * 'number' (whose values stay within ±(2^53 - 1)).
   */
  readonly asNumber: boolean;
  readonly arrowType: DataType;
}

/** A table's compiled layout. */
export interface TableLayout {
  readonly name: string;
  readonly index: number;
  readonly columns: readonly ColumnLayout[];
  readonly byName: ReadonlyMap<string, ColumnLayout>;
  /** Struct columns: name to the stored columns of their children. */
  readonly structs: ReadonlyMap<string, readonly ColumnLayout[]>;
  /** Struct columns: name to their children by field name (see fieldLayout). */
  readonly structFields: ReadonlyMap<string, ReadonlyMap<string, ColumnLayout>>;
  /** Top-level fields in schema order: a stored column, or a struct and its children. */
  readonly fields: readonly {
    readonly name: string;
    readonly columns: readonly ColumnLayout[];
    readonly struct: Struct | null;
  }[];
  /** Column index of the primary key, -1 when the table has none. */
  readonly key: number;
  readonly groupBytes: number;
  readonly arrowSchema: ArrowSchema;
  /** Rows per row group of this table (the table's own, or the store's), its log2, and mask. */
  readonly rowGroupSize: number;
  readonly groupShift: number;
  readonly groupMask: number;
}

/** A dictionary domain: the strings that the dictionary columns naming it share. */
export interface DomainLayout {
  readonly name: string;
  readonly index: number;
  /** Every column that holds its codes, as "table.column". */
  readonly columns: readonly string[];
}

/** The compiled layout of a whole schema. */
export interface StoreLayout {
  readonly schema: Schema;
  readonly tables: readonly TableLayout[];
  readonly byName: ReadonlyMap<string, TableLayout>;
  readonly domains: readonly DomainLayout[];
  readonly domainByName: ReadonlyMap<string, DomainLayout>;
  /** The store's default rows per row group (a table may have its own: TableLayout.rowGroupSize). */
  readonly rowGroupSize: number;
  readonly rootBytes: number;
}

const pad64 = (n: number): number => Math.ceil(n / 64) * 64;

/** Compiles a schema for a row-group capacity (a power of two, at least 8). */
export function compileLayout(schema: Schema, rowGroupSize: number): StoreLayout {
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 8 || (rowGroupSize & (rowGroupSize - 1)) !== 0) {
    throw new StateError(
      'INVALID_OPTION',
      `rowGroupSize must be a power of two of at least 8, not ${rowGroupSize}`,
    );
  }
  const domains: { name: string; index: number; columns: string[]; values: Utf8 }[] = [];
  const domainByName = new Map<string, (typeof domains)[number]>();
  const tables = schema.tables.map((t, index): TableLayout => {
    const groupSize = t.rowGroupSize ?? rowGroupSize;
    const columns: ColumnLayout[] = [];
    const column = (c: ColumnSchema, parent: string | null): ColumnLayout => {
      const l = layoutOf(c.type, c.width);
      let domain = -1;
      let arrowType: DataType | null = null;
      const kind = c.type === 'utf8' ? 'utf8' : c.type === 'list' ? 'list' : 'fixed';
      const name = parent === null ? c.name : `${parent}.${c.name}`;
      const domainName = c.type === 'list' ? c.item!.domain! : c.domain;
      if (domainName !== undefined) {
        let d = domainByName.get(domainName);
        if (d === undefined) {
          d = { name: domainName, index: domains.length, columns: [], values: new Utf8() };
          domains.push(d);
          domainByName.set(d.name, d);
        }
        d.columns.push(`${t.name}.${name}`);
        domain = d.index;
        const codes = c.width === 8 ? new Int8() : c.width === 16 ? new Int16() : new Int32();
        // One Utf8 object per domain: Arrow refuses a schema whose same-id dictionaries differ.
        arrowType = new Dictionary(d.values, codes, d.index);
      }
      if (kind === 'list') arrowType = new List(new Field('item', arrowType!, false));
      else if (kind === 'utf8') arrowType = new Utf8();
      else if (arrowType === null) arrowType = arrowTypeOf(c.type as FixedTypeName);
      const validityBytes = c.nullable ? pad64(groupSize / 8) : 0;
      const valueBytes = pad64(
        kind !== 'fixed' ? (groupSize + 1) * 4 : l.shift < 0 ? groupSize / 8 : groupSize << l.shift,
      );
      const layout: ColumnLayout = {
        name,
        parent,
        leaf: c.name,
        index: columns.length,
        type: c.type,
        nullable: c.nullable,
        kind,
        domain,
        view: l.view,
        shift: l.shift,
        validityBytes,
        chunkBytes: validityBytes + valueBytes,
        min: l.min,
        max: l.max,
        asNumber: c.type === 'timestamp' || (c.type === 'int64' && c.mode === 'number'),
        arrowType: arrowType!,
      };
      columns.push(layout);
      return layout;
    };
    const structs = new Map<string, ColumnLayout[]>();
    const fields = t.columns.map((c) => {
      if (c.type !== 'struct') return { name: c.name, columns: [column(c, null)], struct: null };
      const children = Object.values(c.fields ?? {}).map((child) => column(child as ColumnSchema, c.name));
      structs.set(c.name, children);
      const type = new Struct(children.map((k) => new Field(k.leaf, k.arrowType, k.nullable)));
      return { name: c.name, columns: children, struct: type };
    });
    const arrowFields = fields.map((f) =>
      f.struct === null
        ? new Field(f.name, f.columns[0]!.arrowType, f.columns[0]!.nullable)
        : new Field(f.name, f.struct, false),
    );
    return {
      name: t.name,
      index,
      columns,
      byName: new Map(columns.map((c) => [c.name, c])),
      structs,
      structFields: new Map(
        [...structs].map(([name, children]) => [name, new Map(children.map((k) => [k.leaf, k]))]),
      ),
      fields,
      key: t.key === null ? -1 : columns.findIndex((c) => c.name === t.key),
      groupBytes: (GROUP_HEADER + GROUP_ENTRY * columns.length) * 8,
      arrowSchema: new ArrowSchema(arrowFields),
      rowGroupSize: groupSize,
      groupShift: Math.log2(groupSize),
      groupMask: groupSize - 1,
    };
  });
  return {
    schema,
    tables,
    byName: new Map(tables.map((t) => [t.name, t])),
    domains,
    domainByName,
    rowGroupSize,
    rootBytes: (ROOT_HEADER + TABLE_WORDS * tables.length + DOMAIN_WORDS * domains.length) * 8,
  };
}

/** Word index in a root block of the entry of domain `d`. */
export function domainEntry(layout: StoreLayout, rootOff: number, d: number): number {
  return (rootOff >> 3) + ROOT_HEADER + layout.tables.length * TABLE_WORDS + d * DOMAIN_WORDS;
}

/** Looks a table up by name, with the error every API gives for an unknown one. */
export function tableLayout(layout: StoreLayout, name: string): TableLayout {
  const t = layout.byName.get(name);
  if (t === undefined) {
    throw new StateError(
      'UNKNOWN_TABLE',
      `unknown table ${JSON.stringify(name)}; the tables are ${[...layout.byName.keys()].join(', ')}`,
      { table: name },
    );
  }
  return t;
}

/** The error for addressing a row by key in a table without one. */
export function missingKey(table: TableLayout): StateError {
  return new StateError(
    'MISSING_KEY',
    `table ${table.name} has no primary key; address its rows by position`,
    {
      table: table.name,
    },
  );
}

/**
 * The locator code of a primary key of `table`: the key itself for integer keys, its dictionary
 * code (found by `lookup`) for string keys; -1 for a key that cannot be in the table. Throws
 * MISSING_KEY for a table without a key.
 */
export function keyCode(
  table: TableLayout,
  key: number | string,
  lookup: (domain: number, s: string) => number,
): number {
  if (table.key < 0) throw missingKey(table);
  const domain = table.columns[table.key]!.domain;
  if (domain >= 0) return typeof key === 'string' ? lookup(domain, key) : -1;
  return Number.isInteger(key) && (key as number) >= 0 && (key as number) <= MAX_KEY ? (key as number) : -1;
}

/** Looks a dictionary domain up by name. */
export function domainLayout(layout: StoreLayout, name: string): DomainLayout {
  const d = layout.domainByName.get(name);
  if (d === undefined) {
    throw new StateError(
      'UNKNOWN_DOMAIN',
      `unknown dictionary domain ${JSON.stringify(name)}; the domains are ${[...layout.domainByName.keys()].join(', ') || 'none'}`,
    );
  }
  return d;
}

/** The stored columns that a list of names selects: a struct's name selects all its children. */
export function resolveColumns(table: TableLayout, names: readonly string[]): readonly ColumnLayout[] {
  const out: ColumnLayout[] = [];
  for (const name of names) {
    const children = table.structs.get(name);
    if (children !== undefined) out.push(...children);
    else out.push(columnLayout(table, name));
  }
  return out;
}

/**
 * The stored column of field `field` of struct `struct`: what `columnLayout(table, 'struct.field')`
 * gives (its error included), without building that name on every write, which cost a heartbeat
 * that sets two resources a fifth of its time (a new string to flatten and hash per field).
 */
export function fieldLayout(table: TableLayout, struct: string, field: string): ColumnLayout {
  return table.structFields.get(struct)?.get(field) ?? columnLayout(table, `${struct}.${field}`);
}

/** Looks a column up by name, with the error every API gives for an unknown one. */
export function columnLayout(table: TableLayout, name: string): ColumnLayout {
  const c = table.byName.get(name);
  if (c === undefined) {
    throw new StateError(
      'UNKNOWN_COLUMN',
      `unknown column ${JSON.stringify(name)} of table ${table.name}; its columns are ${[...table.byName.keys()].join(', ')}`,
      { table: table.name, column: name },
    );
  }
  return c;
}
