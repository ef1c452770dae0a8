import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ColumnType } from '../../schema/types.js';
import type { Snapshot } from '../../store/snapshot.js';
import type { Row } from '../../store/values.js';
import { type StateSource, withSnapshot } from './source.js';

const TABLES = ['nodes', 'tasks', 'content'] as const;
/** Bytes of JSON gathered before one write. */
const FLUSH = 1 << 20;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A 64-bit integer as JSON: a number when it is safe (|v| < 2^53), else its decimal string. */
export function int64Json(v: bigint | number): number | string {
  if (typeof v !== 'bigint') return v;
  return v <= SAFE && v >= -SAFE ? Number(v) : String(v);
}

/** A cell as JSON: timestamps as ISO strings, int64 as a number when safe else a string, structs by field. */
function jsonValue(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type.type) {
    case 'timestamp':
      return new Date(Number(v)).toISOString();
    case 'int64':
      return int64Json(v as bigint | number);
    case 'struct': {
      const out: Record<string, unknown> = {};
      const fields = type.fields ?? {};
      for (const k of Object.keys(fields)) out[k] = jsonValue(fields[k]!, (v as Record<string, unknown>)[k]);
      return out;
    }
    case 'list':
      return (v as unknown[]).map((x) => jsonValue(type.item!, x));
    default:
      return typeof v === 'bigint' ? String(v) : v;
  }
}

function jsonRow(columns: readonly { name: string; type: ColumnType }[], row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.name] = jsonValue(c.type, row[c.name]);
  return out;
}

function writeState(s: Snapshot, fd: number): { nodes: number; tasks: number; content: number } {
  let buf = '';
  const put = (text: string) => {
    buf += text;
    if (buf.length >= FLUSH) {
      writeSync(fd, buf);
      buf = '';
    }
  };
  const meta: Record<string, unknown> = { ...s.meta() };
  if (typeof meta.updated_at === 'number') meta.updated_at = new Date(meta.updated_at).toISOString();
  put(`{"version":${s.version},"metadata":${JSON.stringify(meta)}`);
  const counts = { nodes: 0, tasks: 0, content: 0 };
  for (const name of TABLES) {
    const table = s.schema.tables.find((t) => t.name === name)!;
    const columns = table.columns.map((c) => ({ name: c.name, type: c as ColumnType }));
    const n = s.count(name);
    put(`,${JSON.stringify(name)}:[`);
    for (let i = 0; i < n; i++)
      put((i === 0 ? '' : ',') + JSON.stringify(jsonRow(columns, s.getAt(name, i))));
    put(']');
    counts[name] = n;
  }
  put('}\n');
  writeSync(fd, buf);
  return counts;
}

/**
 * Writes the state at one version to `outputPath` as one JSON object: `version`, `metadata` (the
 * store metadata, updated_at as an ISO string), and `nodes`, `tasks`, `content` arrays of rows
 * (timestamps as ISO strings, 64-bit integers as numbers when safe, else strings). Written to a
 * temporary file renamed into place, so a reader never sees half a file. Resolves with the path
 * and the number of rows written per table.
 */
export function exportStateToJson(
  source: StateSource,
  outputPath: string,
): Promise<{ path: string; nodes: number; tasks: number; content: number }> {
  const path = resolve(outputPath);
  const tmp = `${path}.tmp-${process.pid}`;
  return withSnapshot(source, (s) => {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const counts = writeState(s, fd);
      closeSync(fd);
      renameSync(tmp, path);
      return { path, ...counts };
    } catch (err) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(tmp, { force: true });
      throw err;
    }
  });
}
