// Shared by the export tests: an apache-arrow Table's rows as plain values, the way the store's
// own reads (`getAt`) give them: lists as arrays, structs as objects, timestamps as milliseconds.
import type { Table } from 'apache-arrow';

/** Every row of `table` as a plain object. */
export function arrowRows(table: Table): Record<string, unknown>[] {
  return table.toArray().map((row) => plain(row) as Record<string, unknown>);
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (typeof v !== 'object') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(Symbol.iterator in v)) {
    return plain((v as { toJSON(): unknown }).toJSON());
  }
  if (Symbol.iterator in v) return Array.from(v as Iterable<unknown>, plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}
