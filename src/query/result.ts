import {
  type DataType,
  Field,
  List,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { arrowTypeOf, type FixedTypeName } from '../schema/types.js';
import type { QueryResult } from './merge.js';
import type { ResultColumn } from './resolve.js';

/**
 * The rows of a query result as an apache-arrow Table, built (copied) from the rows with the
 * result's column types: dictionary values become plain Utf8 strings (the result's strings, not the
 * store's codes, which mean nothing outside its version), lists List<Utf8>, structs and a join's
 * row Struct, timestamps TimestampMillisecond, int64 Int64, counts and means Float64.
 */
export function resultToArrow(result: QueryResult): Table {
  const vectors: Record<string, Vector> = {};
  for (const c of result.columns) {
    const type = arrowType(c);
    const values = result.rows.map((row) => row[c.name] ?? null);
    vectors[c.name] = vectorFromArray(
      c.type === 'timestamp'
        ? values.map((v) => (v === null ? null : new Date(v as number)))
        : values.map((v) => forInt64(c, v)),
      type,
    );
  }
  return new Table(vectors);
}

/**
 * A row value with the numbers of int64 columns as bigints: a selected int64 column of mode
 * 'number' reads numbers, and apache-arrow's Int64 vectors take bigints (structs, field by field).
 */
function forInt64(c: ResultColumn, v: unknown): unknown {
  if (c.type === 'int64') return typeof v === 'number' ? BigInt(v) : v;
  if (c.type !== 'struct' || v === null || typeof v !== 'object' || c.fields === undefined) return v;
  const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  for (const f of c.fields)
    if (f.type === 'int64' || f.type === 'struct') out[f.name] = forInt64(f, out[f.name]);
  return out;
}

function arrowType(c: ResultColumn): DataType {
  switch (c.type) {
    case 'dictionary':
    case 'utf8':
      return new Utf8();
    case 'list':
      return new List(new Field('item', new Utf8(), false));
    case 'struct':
      return new Struct((c.fields ?? []).map((f) => new Field(f.name, arrowType(f), f.nullable)));
    case 'timestamp':
      return new TimestampMillisecond();
    default:
      return arrowTypeOf(c.type as FixedTypeName);
  }
}
