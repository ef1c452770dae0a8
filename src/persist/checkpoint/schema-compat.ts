import { StateError } from '../../errors.js';
import type { ColumnSchema, Schema } from '../../schema/schema.js';
import type { ColumnType } from '../../schema/types.js';

/*
 * Whether a checkpoint written under one schema can load into another. Allowed: columns (and
 * struct children) that the requested schema adds, if nullable: loading fills them with nulls.
 * Everything else that differs is refused: a table or column missing or added (non-nullable), a
 * type, nullability, dictionary domain or width, list item, or key that changed. Tables and
 * columns are matched by name (order is not data); a table's rowGroupSize is a storage setting and
 * may differ.
 */

/** The differences between a checkpoint's schema and the requested one that block loading. */
export function schemaDifferences(stored: Schema, requested: Schema): string[] {
  const out: string[] = [];
  const old = new Map(stored.tables.map((t) => [t.name, t]));
  for (const t of requested.tables) {
    const s = old.get(t.name);
    if (s === undefined) {
      out.push(`table ${t.name} is not in the checkpoint`);
      continue;
    }
    old.delete(t.name);
    if (s.key !== t.key)
      out.push(`table ${t.name}: key ${s.key ?? 'none'} in the checkpoint, ${t.key ?? 'none'} requested`);
    compareColumns(t.name, s.columns, t.columns, out);
  }
  for (const name of old.keys()) out.push(`table ${name} of the checkpoint is not in the requested schema`);
  return out;
}

function compareColumns(
  where: string,
  stored: readonly ColumnSchema[],
  requested: readonly ColumnSchema[],
  out: string[],
): void {
  const old = new Map(stored.map((c) => [c.name, c]));
  for (const c of requested) {
    const s = old.get(c.name);
    const at = `${where}.${c.name}`;
    if (s === undefined) {
      if (!c.nullable)
        out.push(`column ${at} is not in the checkpoint and is not nullable, so it cannot be filled`);
      continue;
    }
    old.delete(c.name);
    if (s.type === 'struct' && c.type === 'struct') {
      const children = (fields: ColumnType['fields']) =>
        Object.entries(fields ?? {}).map(([name, f]) => ({ ...f, name }));
      compareColumns(at, children(s.fields), children(c.fields), out);
      continue;
    }
    const a = describe(s);
    const b = describe(c);
    if (a !== b) out.push(`column ${at} is ${a} in the checkpoint, ${b} requested`);
  }
  for (const name of old.keys())
    out.push(`column ${where}.${name} of the checkpoint is not in the requested schema`);
}

/** A column type in words, e.g. "nullable dictionary('node', 32 bits)". */
function describe(c: ColumnType): string {
  const n = c.nullable ? 'nullable ' : '';
  if (c.type === 'dictionary') return `${n}dictionary('${c.domain}', ${c.width} bits)`;
  if (c.type === 'list') return `${n}list(${c.item === undefined ? '?' : describe(c.item)})`;
  // An int64 column's mode is how rows read it, not how it is stored: a checkpoint loads either
  // way (into mode 'number', a value beyond ±(2^53 - 1) fails the load with OUT_OF_RANGE).
  return `${n}${c.type}`;
}

/** Throws SCHEMA_MISMATCH, listing what differs, unless a checkpoint of `stored` loads into `requested`. */
export function checkSchemaCompatible(stored: Schema, requested: Schema, checkpointPath: string): void {
  const diff = schemaDifferences(stored, requested);
  if (diff.length === 0) return;
  throw new StateError(
    'SCHEMA_MISMATCH',
    `the checkpoint ${checkpointPath} was written with another schema: ${diff.join('; ')}`,
    { path: checkpointPath },
  );
}
