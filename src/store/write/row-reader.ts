import type { TableLayout } from '../layout.js';
import type { RowInput } from '../values.js';

/*
 * Reading an inserted row's values into column order. Looking each column up by name is a
 * megamorphic keyed load (the rows' hidden classes vary), and checking the row's names first took
 * as many again: together a large part of an insert. Rows of one source have one key order, so a
 * table remembers the last order it checked, and a row whose for-in walk gives the same keys is
 * read in that one walk, each value straight to its column, with no name looked up.
 */

/** Where a top-level key's value goes: a column index, or ~s for the struct of `structs[s]`. */
type Target = number;

/** The key order of a struct's values, and the column of each key. */
interface StructShape {
  readonly keys: readonly string[];
  readonly columns: readonly number[];
}

/** One table's remembered key order; one per table and writer. */
export class RowReader {
  readonly #t: TableLayout;
  /** Top-level field name to its target. */
  readonly #targetOf: ReadonlyMap<string, Target>;
  /** Per struct (in field order): its field name to column index. */
  readonly #structFields: readonly ReadonlyMap<string, number>[];
  #keys: readonly string[] = [];
  #targets: readonly Target[] = [];
  /** Per struct: the key order of its last object value, or null when none was seen. */
  readonly #shapes: (StructShape | null)[];

  constructor(t: TableLayout) {
    this.#t = t;
    const targetOf = new Map<string, Target>();
    const structFields: Map<string, number>[] = [];
    for (const f of t.fields) {
      if (f.struct === null) {
        targetOf.set(f.name, f.columns[0]!.index);
      } else {
        targetOf.set(f.name, ~structFields.length);
        structFields.push(new Map(f.columns.map((c) => [c.leaf, c.index])));
      }
    }
    this.#targetOf = targetOf;
    this.#structFields = structFields;
    this.#shapes = structFields.map(() => null);
  }

  /**
   * Reads `row` into `values` by column index (undefined where not given), if its keys, and its
   * structs' keys, come in the remembered order and each struct's value is a plain object; else
   * returns false, and the caller checks the row's names the long way.
   */
  read(row: RowInput, values: unknown[]): boolean {
    const keys = this.#keys;
    if (keys.length === 0) return false;
    const n = this.#t.columns.length;
    for (let c = 0; c < n; c++) values[c] = undefined;
    const targets = this.#targets;
    let k = 0;
    for (const name in row) {
      if (keys[k] !== name) return false;
      const target = targets[k++]!;
      const v = row[name];
      if (target >= 0) values[target] = v;
      else if (v !== undefined && !this.#readStruct(~target, v, values)) return false;
    }
    return k === keys.length;
  }

  #readStruct(s: number, v: unknown, values: unknown[]): boolean {
    const shape = this.#shapes[s];
    if (shape === null || !plainObject(v)) return false;
    const { keys, columns } = shape;
    const fields = v as Record<string, unknown>;
    let k = 0;
    for (const name in fields) {
      if (keys[k] !== name) return false;
      values[columns[k++]!] = fields[name];
    }
    return k === keys.length;
  }

  /**
   * Remembers the key order of `row`, whose names were checked: every key a field of the table,
   * every struct value undefined or an object of its fields. A key that is no field (a
   * "struct.child" name is a known column but is not read) leaves the last order as it was.
   */
  learn(row: RowInput): void {
    const keys: string[] = [];
    const targets: Target[] = [];
    for (const name in row) {
      const target = this.#targetOf.get(name);
      if (target === undefined) return;
      keys.push(name);
      targets.push(target);
      const v = row[name];
      if (target < 0 && plainObject(v)) this.#shapes[~target] = this.#shapeOf(~target, v);
    }
    this.#keys = keys;
    this.#targets = targets;
  }

  #shapeOf(s: number, v: object): StructShape | null {
    const byName = this.#structFields[s]!;
    const keys: string[] = [];
    const columns: number[] = [];
    for (const name in v) {
      const c = byName.get(name);
      if (c === undefined) return null;
      keys.push(name);
      columns.push(c);
    }
    return { keys, columns };
  }
}

/** What the slow path accepts as a struct's value: a non-null object, not an array nor a Date. */
function plainObject(v: unknown): v is object {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}
