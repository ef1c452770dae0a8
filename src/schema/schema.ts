import { StateError } from '../errors.js';
import { type ColumnType, type ColumnTypeName, isColumnTypeName } from './types.js';

/** One column of a table. */
export interface ColumnSchema extends ColumnType {
  /** The column's name, unique within its table. */
  readonly name: string;
}

/** A table: its columns in order and, optionally, its primary key column. */
export interface TableSchema {
  /** The table's name, unique within its schema. */
  readonly name: string;
  /** The columns, in the order of the Arrow view. */
  readonly columns: readonly ColumnSchema[];
  /**
   * The primary key column, if any: a non-null dictionary column (string keys; the locator is
   * indexed by their dense codes) or integer column of at most 32 bits whose values are dense
   * non-negative ids (the key locator is an array indexed by key).
   */
  readonly key: string | null;
  /**
   * Rows per row group of this table (a power of two, at least 8); null takes the store's
   * `rowGroupSize`. Small groups make single-row writes copy less; large ones scan faster.
   */
  readonly rowGroupSize?: number | null;
}

/** A store's schema: plain data, so it crosses threads inside a store handle. */
export interface Schema {
  /** The tables, in order. */
  readonly tables: readonly TableSchema[];
}

/** Options of {@link table}. */
export interface TableOptions {
  /** Name of the primary key column. */
  key?: string;
  /**
   * Rows per row group of this table (a power of two, at least 8), instead of the store's
   * `rowGroupSize`: a small table written row by row (heartbeats) copies less per write with
   * small groups; a big table that is scanned wants large ones.
   */
  rowGroupSize?: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEY_TYPES: ReadonlySet<ColumnTypeName> = new Set([
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
  'dictionary',
]);
const WIDTHS: ReadonlySet<unknown> = new Set([8, 16, 32]);

/**
 * Defines a table from a record of column types, in insertion order.
 *
 * @example table('nodes', { id: int32(), load: float64({ nullable: true }) }, { key: 'id' })
 */
export function table(
  name: string,
  columns: Record<string, ColumnType>,
  options: TableOptions = {},
): TableSchema {
  if (!NAME.test(name)) {
    throw new StateError('INVALID_SCHEMA', `table name ${JSON.stringify(name)} is not an identifier`, {
      table: name,
    });
  }
  const cols: ColumnSchema[] = [];
  for (const [col, type] of Object.entries(columns)) {
    if (type?.type === 'struct') {
      const fields = Object.entries(type.fields ?? {});
      if (!NAME.test(col) || fields.length === 0) {
        throw new StateError(
          'INVALID_SCHEMA',
          `struct column ${name}.${col} needs an identifier name and at least one field`,
          {
            table: name,
            column: col,
          },
        );
      }
      const children = table(name, Object.fromEntries(fields)).columns;
      for (const child of children) {
        if (child.type === 'struct') {
          throw new StateError(
            'INVALID_SCHEMA',
            `struct column ${name}.${col} nests struct ${child.name}; one level is supported`,
            {
              table: name,
              column: `${col}.${child.name}`,
            },
          );
        }
      }
      const nested: Record<string, ColumnType> = {};
      for (const child of children) nested[child.name] = child;
      cols.push({ name: col, type: 'struct', nullable: false, fields: nested });
      continue;
    }
    if (!NAME.test(col)) {
      throw new StateError(
        'INVALID_SCHEMA',
        `column name ${JSON.stringify(col)} of table ${name} is not an identifier`,
        {
          table: name,
          column: col,
        },
      );
    }
    if (type === null || typeof type !== 'object' || !isColumnTypeName(type.type)) {
      throw new StateError(
        'INVALID_SCHEMA',
        `column ${name}.${col} has no valid type (use a factory such as int32() or float64())`,
        { table: name, column: col },
      );
    }
    if (type.type === 'list') {
      const item = type.item;
      if (item?.type !== 'dictionary' || typeof item.domain !== 'string' || !NAME.test(item.domain)) {
        throw new StateError(
          'INVALID_SCHEMA',
          `list column ${name}.${col} needs dictionary items, as in list(dictionary('node'))`,
          { table: name, column: col },
        );
      }
      cols.push({
        name: col,
        type: 'list',
        nullable: type.nullable === true,
        item: { type: 'dictionary', nullable: false, domain: item.domain, width: 32 },
      });
    } else if (type.type === 'dictionary') {
      if (typeof type.domain !== 'string' || !NAME.test(type.domain) || !WIDTHS.has(type.width)) {
        throw new StateError(
          'INVALID_SCHEMA',
          `dictionary column ${name}.${col} needs a domain name that is an identifier and a width of 8, 16 or 32`,
          { table: name, column: col },
        );
      }
      cols.push({
        name: col,
        type: 'dictionary',
        nullable: type.nullable === true,
        domain: type.domain,
        width: type.width,
      });
    } else {
      if (
        type.mode !== undefined &&
        (type.type !== 'int64' || (type.mode !== 'bigint' && type.mode !== 'number'))
      ) {
        throw new StateError(
          'INVALID_SCHEMA',
          `column ${name}.${col}: mode ${JSON.stringify(type.mode)} is for int64 columns, 'bigint' or 'number'`,
          { table: name, column: col },
        );
      }
      const c: ColumnSchema = { name: col, type: type.type, nullable: type.nullable === true };
      cols.push(type.mode === 'number' ? { ...c, mode: 'number' } : c);
    }
  }
  if (cols.length === 0) {
    throw new StateError('INVALID_SCHEMA', `table ${name} has no columns`, { table: name });
  }
  const key = options.key ?? null;
  if (key !== null) {
    const col = cols.find((c) => c.name === key);
    if (col === undefined) {
      throw new StateError('INVALID_SCHEMA', `key column ${key} is not a column of table ${name}`, {
        table: name,
        column: key,
      });
    }
    if (!KEY_TYPES.has(col.type) || col.nullable) {
      throw new StateError(
        'INVALID_SCHEMA',
        `key column ${name}.${key} must be a non-null dictionary or integer of at most 32 bits, not ${col.nullable ? 'nullable ' : ''}${col.type}`,
        { table: name, column: key },
      );
    }
  }
  const rowGroupSize = options.rowGroupSize ?? null;
  if (rowGroupSize !== null && !isGroupSize(rowGroupSize)) {
    throw new StateError(
      'INVALID_SCHEMA',
      `rowGroupSize of table ${name} must be a power of two of at least 8, not ${rowGroupSize}`,
      { table: name },
    );
  }
  return { name, columns: cols, key, rowGroupSize };
}

/** Whether `n` can be a row-group size: a power of two of at least 8 (and at most 2^24). */
export function isGroupSize(n: unknown): n is number {
  return (
    Number.isInteger(n) &&
    (n as number) >= 8 &&
    (n as number) <= 2 ** 24 &&
    ((n as number) & ((n as number) - 1)) === 0
  );
}

/** Gathers tables into a schema, checking that their names are unique. */
export function schema(tables: readonly TableSchema[]): Schema {
  const seen = new Set<string>();
  for (const t of tables) {
    if (seen.has(t.name)) {
      throw new StateError('INVALID_SCHEMA', `table ${t.name} is defined twice`, { table: t.name });
    }
    seen.add(t.name);
  }
  if (tables.length === 0) throw new StateError('INVALID_SCHEMA', 'a schema needs at least one table');
  return {
    tables: tables.map((t) => ({
      name: t.name,
      columns: t.columns.map((c) => ({ ...c })),
      key: t.key,
      rowGroupSize: t.rowGroupSize ?? null,
    })),
  };
}
