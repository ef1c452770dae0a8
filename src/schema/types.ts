import {
  Bool,
  type DataType,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  TimestampMillisecond,
  Uint8,
  Uint16,
  Uint32,
} from 'apache-arrow';

/** Names of the fixed-width column types. */
export type FixedTypeName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'float32'
  | 'float64'
  | 'timestamp';

/** Names of every column type. */
export type ColumnTypeName = FixedTypeName | 'dictionary' | 'utf8' | 'list' | 'struct';

/** Bits of the codes a dictionary column stores. */
export type CodeWidth = 8 | 16 | 32;

/** A column type: plain data, so a schema can cross threads in a structured clone. */
export interface ColumnType {
  /** The type's name; `timestamp` is milliseconds since the epoch. */
  readonly type: ColumnTypeName;
  /** Whether null is a valid value; false unless the factory was given `{ nullable: true }`. */
  readonly nullable: boolean;
  /** For `dictionary`: the domain whose codes the column holds. */
  readonly domain?: string;
  /** For `dictionary`: bits per code (8, 16 or 32). */
  readonly width?: CodeWidth;
  /** For `list`: the type of its items (a dictionary column type). */
  readonly item?: ColumnType;
  /** For `struct`: its child columns, in order. */
  readonly fields?: Readonly<Record<string, ColumnType>>;
  /**
   * For `int64`: how rows read it. `'bigint'` (absent means this) reads bigints; `'number'` reads
   * plain numbers and refuses values beyond ±(2^53 - 1) with OUT_OF_RANGE (see {@link int64}).
   */
  readonly mode?: Int64Mode;
}

/** How rows read an int64 column: as bigints (every 64-bit value) or as safe-integer numbers. */
export type Int64Mode = 'bigint' | 'number';

/** Options of {@link int64}. */
export interface Int64Options extends ColumnTypeOptions {
  /**
   * `'bigint'` (default): rows read bigints, writes take bigints and safe integers. `'number'`:
   * rows read plain numbers (byte counts and sizes that users compute with), writes take numbers
   * and bigints within ±(2^53 - 1), and anything beyond is refused with OUT_OF_RANGE. Either way
   * the column is int64 in the arena, in Arrow views (BigInt64Array) and on disk.
   */
  mode?: Int64Mode;
}

/** Options of every type factory. */
export interface ColumnTypeOptions {
  /** Accept null in this column (default false). */
  nullable?: boolean;
}

function columnType(type: FixedTypeName, options: ColumnTypeOptions | undefined): ColumnType {
  return { type, nullable: options?.nullable === true };
}

/** A boolean column (one bit per value). */
export const bool = (options?: ColumnTypeOptions): ColumnType => columnType('bool', options);
/** A signed 8-bit integer column. */
export const int8 = (options?: ColumnTypeOptions): ColumnType => columnType('int8', options);
/** A signed 16-bit integer column. */
export const int16 = (options?: ColumnTypeOptions): ColumnType => columnType('int16', options);
/** A signed 32-bit integer column. */
export const int32 = (options?: ColumnTypeOptions): ColumnType => columnType('int32', options);
/**
 * A signed 64-bit integer column. By default rows read it as `bigint` (safe-integer numbers are
 * accepted on write); `int64({ mode: 'number' })` reads plain numbers and keeps every value within
 * ±(2^53 - 1) (OUT_OF_RANGE beyond), still stored as int64.
 *
 * @example struct({ memory_total: int64({ mode: 'number' }) })
 */
export function int64(options?: Int64Options): ColumnType {
  const t = columnType('int64', options);
  return options?.mode === 'number' ? { ...t, mode: 'number' } : t;
}
/** An unsigned 8-bit integer column. */
export const uint8 = (options?: ColumnTypeOptions): ColumnType => columnType('uint8', options);
/** An unsigned 16-bit integer column. */
export const uint16 = (options?: ColumnTypeOptions): ColumnType => columnType('uint16', options);
/** An unsigned 32-bit integer column. */
export const uint32 = (options?: ColumnTypeOptions): ColumnType => columnType('uint32', options);
/** A 32-bit float column. */
export const float32 = (options?: ColumnTypeOptions): ColumnType => columnType('float32', options);
/** A 64-bit float column. */
export const float64 = (options?: ColumnTypeOptions): ColumnType => columnType('float64', options);
/** Milliseconds since the epoch (Arrow `timestamp[ms]`); rows read and write it as plain numbers. */
export const timestamp = (options?: ColumnTypeOptions): ColumnType => columnType('timestamp', options);

/** Options of {@link dictionary}. */
export interface DictionaryOptions extends ColumnTypeOptions {
  /** Bits per code (default 32). A domain that outgrows a column's width fails the write. */
  width?: CodeWidth;
}

/**
 * A string column stored as codes into an append-only dictionary `domain`. Columns that name the
 * same domain share it, so equal strings have equal codes across tables (joins compare integers).
 * Use it for identifiers and low-cardinality strings; rows read and write it as strings.
 */
export function dictionary(domain: string, options?: DictionaryOptions): ColumnType {
  return { type: 'dictionary', nullable: options?.nullable === true, domain, width: options?.width ?? 32 };
}

/**
 * Plain UTF-8 text, stored inside its chunk and copied with it: for free text such as parameters
 * JSON or error messages, where a dictionary would gain nothing.
 */
export function utf8(options?: ColumnTypeOptions): ColumnType {
  return { type: 'utf8', nullable: options?.nullable === true };
}

/**
 * A list of strings stored as codes of a dictionary domain (Arrow `list<dictionary<utf8>>`):
 * capabilities, peers, providers. Rows read and write it as an array of strings.
 *
 * @example list(dictionary('node'))
 */
export function list(item: ColumnType, options?: ColumnTypeOptions): ColumnType {
  return { type: 'list', nullable: options?.nullable === true, item };
}

/**
 * A struct of named child columns (Arrow `struct`): rows read and write it as a nested object.
 * Each child is stored as an ordinary column; the struct itself is never null (its children may be).
 *
 * @example struct({ cpu_count: int32(), memory_mb: int64({ nullable: true }) })
 */
export function struct(fields: Record<string, ColumnType>): ColumnType {
  return { type: 'struct', nullable: false, fields: { ...fields } };
}

/** How a fixed-width type is laid out in a chunk. */
export interface TypeLayout {
  /** Bytes per value; 0 for bool, which is a bitmap. */
  readonly width: number;
  /** log2 of width, for index arithmetic; -1 for bool. */
  readonly shift: number;
  /** Which per-segment view reads the values. */
  readonly view: ViewKind;
  /** Smallest and largest accepted integer, for integer types. */
  readonly min: number;
  readonly max: number;
}

/** The typed-array class a chunk's values are read through. */
export type ViewKind = 'u8' | 'i8' | 'i16' | 'i32' | 'u16' | 'u32' | 'f32' | 'f64' | 'i64';

const LAYOUTS: Record<FixedTypeName, TypeLayout> = {
  bool: { width: 0, shift: -1, view: 'u8', min: 0, max: 1 },
  int8: { width: 1, shift: 0, view: 'i8', min: -128, max: 127 },
  int16: { width: 2, shift: 1, view: 'i16', min: -32768, max: 32767 },
  int32: { width: 4, shift: 2, view: 'i32', min: -2147483648, max: 2147483647 },
  int64: { width: 8, shift: 3, view: 'i64', min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  uint8: { width: 1, shift: 0, view: 'u8', min: 0, max: 255 },
  uint16: { width: 2, shift: 1, view: 'u16', min: 0, max: 65535 },
  uint32: { width: 4, shift: 2, view: 'u32', min: 0, max: 4294967295 },
  float32: { width: 4, shift: 2, view: 'f32', min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY },
  float64: { width: 8, shift: 3, view: 'f64', min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY },
  timestamp: { width: 8, shift: 3, view: 'i64', min: -8.64e15, max: 8.64e15 },
};

/** The chunk layout of a type; a dictionary column is laid out as its codes. */
export function layoutOf(type: ColumnTypeName, width: CodeWidth = 32): TypeLayout {
  // Variable-length columns keep Int32 offsets in the chunk; their items live in a data block.
  if (type === 'utf8' || type === 'list' || type === 'struct') return LAYOUTS.int32;
  if (type !== 'dictionary') return LAYOUTS[type];
  const codes = LAYOUTS[width === 8 ? 'int8' : width === 16 ? 'int16' : 'int32'];
  return { ...codes, min: 0 };
}

/** Whether `name` is one of the column type names. */
export function isColumnTypeName(name: unknown): name is ColumnTypeName {
  return (
    typeof name === 'string' &&
    (name === 'dictionary' ||
      name === 'utf8' ||
      name === 'list' ||
      name === 'struct' ||
      Object.hasOwn(LAYOUTS, name))
  );
}

/** The apache-arrow type of a column. */
export function arrowTypeOf(type: FixedTypeName): DataType {
  switch (type) {
    case 'bool':
      return new Bool();
    case 'int8':
      return new Int8();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'uint8':
      return new Uint8();
    case 'uint16':
      return new Uint16();
    case 'uint32':
      return new Uint32();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'timestamp':
      return new TimestampMillisecond();
  }
}
