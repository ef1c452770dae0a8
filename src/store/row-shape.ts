import { type ColumnLayout, resolveColumns, type TableLayout } from './layout.js';
import type { Row, StructValue, Value } from './values.js';

/**
 * How the rows of one projection of a table are made: which stored columns are read, and a
 * function that builds the row object from their values. Resolved once per projection (and per
 * thread), so reading a row does no name lookups.
 */
export interface RowShape {
  /** The stored columns to read, each once, in the order their values go to `build`. */
  readonly columns: readonly ColumnLayout[];
  /** Makes the row object from the values of `columns`, in order. */
  readonly build: (values: readonly Value[]) => Row;
  /** Where a reader collects the values before `build` (reads in one thread run one at a time). */
  readonly values: Value[];
}

const wholeRows = new WeakMap<TableLayout, RowShape>();

/**
 * The shape of `table`'s rows with every column, or only the columns `names` selects (a struct's
 * name selects all its children). A projection is resolved once per array (and checked against
 * the names it was resolved from, so changing the array in place is safe): a caller that reads the
 * same projection often should pass the same array.
 */
export function rowShape(table: TableLayout, names?: readonly string[]): RowShape {
  if (names === undefined) {
    let shape = wholeRows.get(table);
    if (shape === undefined) {
      shape = makeShape(table.columns);
      wholeRows.set(table, shape);
    }
    return shape;
  }
  let entry = last;
  if (entry === null || entry.names !== names || entry.table !== table || !sameNames(entry.copy, names)) {
    entry = projections.get(names) ?? null;
    if (entry === null || entry.table !== table || !sameNames(entry.copy, names)) {
      entry = byContent(table, names);
      projections.set(names, entry);
    }
    last = entry;
  }
  return entry.shape;
}

interface Projection {
  readonly names: readonly string[];
  /** The names as they were when resolved. */
  readonly copy: readonly string[];
  readonly table: TableLayout;
  readonly shape: RowShape;
}

const projections = new WeakMap<readonly string[], Projection>();
/** The projection asked for last: a loop of reads asks for the same one each time. */
let last: Projection | null = null;

/**
 * Projections by their names' content, per table: a query resolves its plan anew each time it runs
 * (the plan may come from another thread), so its projection is a new array with the same names,
 * and compiling a builder for each would cost more than a small query's scan. Bounded: a table's
 * cache starts over when it holds MAX_BY_CONTENT projections.
 */
const contentCache = new WeakMap<TableLayout, Map<string, Projection>>();
const MAX_BY_CONTENT = 256;

function byContent(table: TableLayout, names: readonly string[]): Projection {
  let cache = contentCache.get(table);
  if (cache === undefined) {
    cache = new Map();
    contentCache.set(table, cache);
  }
  // Names could contain the separator; the check against `copy` catches the collision.
  const key = names.join('\u0000');
  let entry = cache.get(key);
  if (entry === undefined || !sameNames(entry.copy, names)) {
    entry = { names, copy: [...names], table, shape: makeShape(resolveColumns(table, names)) };
    if (cache.size >= MAX_BY_CONTENT) cache.clear();
    cache.set(key, entry);
  }
  return entry;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function makeShape(selected: readonly ColumnLayout[]): RowShape {
  // A column named twice is read once: its value would be the same.
  const columns = selected.filter((c, i) => selected.findIndex((d) => d.index === c.index) === i);
  return { columns, build: compileBuild(columns), values: new Array<Value>(columns.length).fill(null) };
}

/**
 * A row builder whose object literal has the projection's property names written out: V8 then
 * makes each row from one boilerplate with a fixed hidden class, about ten times faster than adding
 * the properties one by one (which goes through a megamorphic store per column). The names are
 * emitted as JSON string literals, so no schema name can inject code. Where code generation from
 * strings is disallowed (`--disallow-code-generation-from-strings`), rows are built property by
 * property instead.
 */
function compileBuild(columns: readonly ColumnLayout[]): (values: readonly Value[]) => Row {
  // Top-level fields in order of first appearance; a struct's children go inside its literal.
  const fields: { name: string; children: string[] | null; at: number }[] = [];
  const structs = new Map<string, string[]>();
  columns.forEach((col, i) => {
    if (col.parent === null) {
      fields.push({ name: col.name, children: null, at: i });
      return;
    }
    let children = structs.get(col.parent);
    if (children === undefined) {
      children = [];
      structs.set(col.parent, children);
      fields.push({ name: col.parent, children, at: -1 });
    }
    children.push(`${property(col.leaf)}: v[${i}]`);
  });
  const body = fields
    .map((f) => `${property(f.name)}: ${f.children === null ? `v[${f.at}]` : `{ ${f.children.join(', ')} }`}`)
    .join(', ');
  try {
    return new Function('v', `return { ${body} };`) as (values: readonly Value[]) => Row;
  } catch {
    return (values) => buildDynamic(columns, values);
  }
}

/** A property name in an object literal; `__proto__` written plainly would set the prototype. */
function property(name: string): string {
  return name === '__proto__' ? '["__proto__"]' : JSON.stringify(name);
}

function buildDynamic(columns: readonly ColumnLayout[], values: readonly Value[]): Row {
  const out: Row = {};
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.parent === null) {
      define(out, col.name, values[c]!);
      continue;
    }
    let parent = out[col.parent] as StructValue | undefined;
    if (parent === undefined) {
      parent = {};
      define(out, col.parent, parent);
    }
    define(parent, col.leaf, values[c]!);
  }
  return out;
}

/** Sets an own property, even one named `__proto__`. */
function define(o: Record<string, Value>, name: string, value: Value): void {
  if (name === '__proto__') {
    Object.defineProperty(o, name, { value, enumerable: true, writable: true, configurable: true });
  } else o[name] = value;
}
