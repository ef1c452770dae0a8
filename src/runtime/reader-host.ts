import type { MessagePort } from 'node:worker_threads';
import { StateError } from '../errors.js';
import type { Snapshot } from '../store/snapshot.js';
import { Store, type StoreHandle } from '../store/store.js';
import type { Row } from '../store/values.js';

/** A request to a reader worker. */
export type ReaderRequest =
  | { readonly id: number; readonly op: 'pin' }
  | { readonly id: number; readonly op: 'release' }
  | { readonly id: number; readonly op: 'scan'; readonly table: string; readonly column: string }
  | { readonly id: number; readonly op: 'get'; readonly table: string; readonly key: number | string }
  | { readonly id: number; readonly op: 'close' };

/** The result of a scan: one numeric column folded on its raw typed arrays. */
export interface ScanResult {
  /** The version scanned. */
  version: number;
  /** Rows scanned, nulls included. */
  rows: number;
  /** Sum, smallest and largest of the non-null values (int64 columns as numbers). */
  sum: number;
  min: number;
  max: number;
  /** Time the scan took in the worker, in milliseconds. */
  ms: number;
}

/** A reply from a reader worker: the request's id and its result or error. */
export type ReaderReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

/** Folds one column of a snapshot: sum, min and max over the raw chunk arrays. */
export function scanColumn(snap: Snapshot, table: string, column: string): ScanResult {
  const t0 = performance.now();
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let rows = 0;
  for (const chunk of snap.chunks(table, column)) {
    const { values, validity, length } = chunk;
    rows += length;
    if (values instanceof BigInt64Array) {
      for (let i = 0; i < length; i++) {
        if (validity !== null && (validity[i >> 3]! & (1 << (i & 7))) === 0) continue;
        const x = Number(values[i]!);
        sum += x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    } else {
      for (let i = 0; i < length; i++) {
        if (validity !== null && (validity[i >> 3]! & (1 << (i & 7))) === 0) continue;
        const x = values[i]!;
        sum += x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
  }
  return { version: snap.version, rows, sum, min, max, ms: performance.now() - t0 };
}

/**
 * Serves reader requests on `port` for the store of `handle`: the logic behind `workers/reader`.
 * A `pin` holds a snapshot that later requests read until `release`; without one, each request
 * reads the newest version.
 */
export async function serveReader(port: MessagePort, handle: StoreHandle): Promise<void> {
  const store = await Store.attach(handle);
  let held: Snapshot | null = null;
  const withSnapshot = <T>(fn: (s: Snapshot) => T): T => (held === null ? store.read(fn) : fn(held));
  port.on('message', (req: ReaderRequest) => {
    let reply: ReaderReply;
    try {
      let result: unknown;
      switch (req.op) {
        case 'pin':
          held?.release();
          held = store.snapshot();
          result = { version: held.version };
          break;
        case 'release':
          held?.release();
          held = null;
          result = {};
          break;
        case 'scan':
          result = withSnapshot((s) => scanColumn(s, req.table, req.column));
          break;
        case 'get':
          result = withSnapshot((s): Row | null => s.get(req.table, req.key));
          break;
        case 'close':
          held?.release();
          store.close();
          port.postMessage({ id: req.id, ok: true, result: {} } satisfies ReaderReply);
          port.close();
          return;
      }
      reply = { id: req.id, ok: true, result };
    } catch (err) {
      const e = err as Error;
      reply = {
        id: req.id,
        ok: false,
        code: err instanceof StateError ? err.code : 'ERROR',
        message: e.message,
      };
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: 0, ok: true, result: { attached: true } } satisfies ReaderReply);
}
