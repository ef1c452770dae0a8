import { describeValue, StateError } from '../errors.js';
import type { SegmentSource } from './read.js';
import { utf8Length } from './utf8.js';

/*
 * Store metadata: a small key/value map of facts about the state that are not rows (a cluster's
 * id, its master, a schema version, where a checkpoint came from). It is versioned with the rows:
 * each root names an immutable block holding the whole map as UTF-8 JSON, and a transaction that
 * changes it writes a new block. Meant for a few dozen entries, not for data.
 */

/** A metadata value: a string or a finite number. */
export type MetaValue = string | number;

/** The longest metadata key, in UTF-8 bytes. */
export const MAX_META_KEY_BYTES = 256;

/** A decoded metadata map (a null-prototype object: any key is safe). */
export type MetaMap = Record<string, MetaValue>;

const EMPTY: MetaMap = Object.freeze(Object.create(null)) as MetaMap;
const encoder = new TextEncoder();

/** Checks a key and a value (null deletes) before anything changes; throws a StateError. */
export function checkMeta(key: unknown, value: unknown, maxStringBytes: number): void {
  if (typeof key !== 'string' || key.length === 0 || utf8Length(key) > MAX_META_KEY_BYTES) {
    throw new StateError(
      'INVALID_META',
      `a metadata key is a non-empty string of at most ${MAX_META_KEY_BYTES} UTF-8 bytes, not ${describeValue(key)}`,
      { key: typeof key === 'string' ? key : undefined, value },
    );
  }
  const ok =
    value === null ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && utf8Length(value) <= maxStringBytes);
  if (!ok) {
    throw new StateError(
      'INVALID_META',
      `metadata ${JSON.stringify(key)}: a value is a string (at most ${maxStringBytes} UTF-8 bytes), a finite number, or null to delete it, not ${describeValue(value)}`,
      { key, value },
    );
  }
}

/** The metadata map stored in `bytes` bytes at (seg, off); seg -1 means none. */
export function readMeta(src: SegmentSource, seg: number, off: number, bytes: number): MetaMap {
  if (seg < 0) return EMPTY;
  const json = src.get(seg).buf.toString('utf8', off, off + bytes);
  return Object.freeze(Object.assign(Object.create(null), JSON.parse(json))) as MetaMap;
}

/** The bytes of a metadata map, keys sorted so that equal maps give equal bytes. */
export function encodeMeta(map: ReadonlyMap<string, MetaValue>): Uint8Array {
  const out: MetaMap = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key)!;
  return encoder.encode(JSON.stringify(out));
}
