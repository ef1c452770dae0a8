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

/** A column type: plain data, so a schema can cross threads in a structured clone. */
export interface ColumnType {
  /** The type's name; `timestamp` is milliseconds since the epoch. */
  readonly type: FixedTypeName;
  /** Whether null is a valid value; false unless the factory was given `{ nullable: true }`. */
  readonly nullable: boolean;
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
/** A signed 64-bit integer column; rows read it as `bigint` (safe-integer numbers are accepted on write). */
export const int64 = (options?: ColumnTypeOptions): ColumnType => columnType('int64', options);
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

/** The chunk layout of a type. */
export function layoutOf(type: FixedTypeName): TypeLayout {
  return LAYOUTS[type];
}

/** Whether `name` is one of the fixed-width type names. */
export function isFixedTypeName(name: unknown): name is FixedTypeName {
  return typeof name === 'string' && Object.hasOwn(LAYOUTS, name);
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
