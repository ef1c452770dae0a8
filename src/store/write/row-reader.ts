import type { TableLayout } from '../layout.js';
import type { RowInput } from '../values.js';

/*
 * Reads the values of many rows of one table by stored column, in one pass over each row's own
 * keys. Reading `row[column.name]` column by column is a keyed load whose key changes at every
 * column: V8 makes it megamorphic, which cost more per row than checking the values. Inside
 * `for (name in row)` the same load is served by the object's enumeration cache; and rows that come
 * from one source (JSON, one object literal) list their keys in the same order, so a key is matched
 * to its field by where it stood in the row before, with one string comparison.
 */

/** A row reader for table `t`: `read(row)` fills `values`, one per stored column. */
export class RowReader {
  /** The last row's values, by stored column index (undefined: not given). */
  readonly values: unknown[];
  readonly #t: TableLayout;
  readonly #fieldOf: Map<string, number>;
  /** The key order of the row before, and each key's field. */
  readonly #names: string[] = [];
  readonly #fields: number[] = [];

  constructor(t: TableLayout) {
    this.#t = t;
    this.values = new Array<unknown>(t.columns.length).fill(undefined);
    this.#fieldOf = new Map(t.fields.map((f, i) => [f.name, i]));
  }

  /**
   * Reads `row`. Returns false, leaving `values` partly read, when the row is not a plain object,
   * names something the table lacks, or gives a struct something other than an object of its
   * fields: `checkNames` then says which, as insert does.
   */
  read(row: RowInput): boolean {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
    const values = this.values;
    values.fill(undefined);
    const fields = this.#t.fields;
    const names = this.#names;
    let i = 0;
    for (const name in row) {
      const v = row[name];
      let f: number;
      if (i < names.length && names[i] === name) {
        f = this.#fields[i]!;
      } else {
        f = this.#fieldOf.get(name) ?? -1;
        if (f < 0) return false;
        names[i] = name;
        this.#fields[i] = f;
      }
      i++;
      if (v === undefined) continue;
      const field = fields[f]!;
      if (field.struct === null) values[field.columns[0]!.index] = v;
      else if (!readStruct(field.columns, v, values)) return false;
    }
    return true;
  }
}

/** A struct's fields into `values`; false unless `v` is an object of only those fields. */
function readStruct(
  columns: TableLayout['fields'][number]['columns'],
  v: unknown,
  values: unknown[],
): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return false;
  const fields = v as Record<string, unknown>;
  let keys = 0;
  for (const _ in fields) keys++;
  let known = 0;
  for (const col of columns) {
    const x = fields[col.leaf];
    if (x === undefined) continue;
    known++;
    values[col.index] = x;
  }
  // A key besides the fields, or one given as undefined: checkNames tells them apart.
  return keys === known;
}
