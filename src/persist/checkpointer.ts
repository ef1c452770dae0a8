import type { MessagePort } from 'node:worker_threads';
import { currentCounter, DURABLE_ROOT_WORDS, DURABLE_WORDS, waitAbove } from '../memory/version-wait.js';
import { errorToWire, type WireError } from '../runtime/wire.js';
import type { Snapshot } from '../store/snapshot.js';
import { Store, type StoreHandle } from '../store/store.js';
import { readManifest, writeCheckpoint } from './checkpoint/index.js';
import { type ExportMetadata, writeExport } from './export/index.js';
import { pruneWal } from './wal/index.js';

/** What the runtime passes to the checkpoint worker. */
export interface CheckpointerData {
  readonly store: StoreHandle;
  readonly folder: string;
  readonly walFolder: string;
  readonly format: 'feather' | 'parquet';
  readonly keep: number;
  readonly intervalMs: number;
  /** Where the shared-memory export goes (null: no export), how often, and the runtime's id. */
  readonly exportRoot: string | null;
  readonly exportIntervalMs: number;
  readonly incarnation: string;
}

/** What a checkpoint wrote, as the runtime reports it. */
export interface CheckpointSummary {
  /** The store version written. */
  readonly version: number;
  /** The checkpoint's folder. */
  readonly path: string;
  /** Bytes of its table files. */
  readonly bytes: number;
  /** Wall time, in milliseconds. */
  readonly ms: number;
  /** Log segments removed because every record in them is older than the oldest kept checkpoint. */
  readonly pruned: readonly string[];
}

/** Between the runtime and its checkpoint worker. */
export type CheckpointerMessage =
  | { readonly t: 'checkpoint'; readonly id: number }
  | {
      readonly t: 'done';
      readonly id: number;
      readonly summary: CheckpointSummary | null;
      readonly error: WireError | null;
    }
  | { readonly t: 'export'; readonly id: number }
  | {
      readonly t: 'exported';
      readonly id: number;
      readonly metadata: ExportMetadata | null;
      readonly error: WireError | null;
    }
  | { readonly t: 'close' }
  | { readonly t: 'closed'; readonly summary: CheckpointSummary | null; readonly error: WireError | null };

/**
 * The logic of `workers/checkpoint`: writes checkpoints from a pinned version, on the interval and
 * on demand, in a thread of its own: the writer keeps writing meanwhile (it never waits for a
 * checkpoint), and the persistence worker keeps syncing the log (a checkpoint of a million rows
 * takes a second of CPU). After each checkpoint, log segments older than the oldest kept one go.
 */
export async function serveCheckpointer(port: MessagePort, data: CheckpointerData): Promise<void> {
  const store = await Store.attach(data.store);
  let last = 0;
  const checkpoint = (): CheckpointSummary | null => {
    const snap = store.snapshot();
    try {
      // Nothing new since the last one: no checkpoint of the same version twice.
      if (snap.version === last) return null;
      const written = writeCheckpoint(data.folder, snap, { format: data.format, keep: data.keep });
      last = written.version;
      const manifest = readManifest(data.folder);
      const oldest = manifest?.checkpoints.at(-1)?.version ?? written.version;
      const pruned = pruneWal(data.walFolder, oldest + 1);
      return { version: written.version, path: written.path, bytes: written.bytes, ms: written.ms, pruned };
    } finally {
      snap.release();
    }
  };
  const run = (): { summary: CheckpointSummary | null; error: WireError | null } => {
    try {
      return { summary: checkpoint(), error: null };
    } catch (err) {
      return { summary: null, error: errorToWire(err) };
    }
  };
  // The export for outside readers: the newest durable version (what a crash cannot take back),
  // or the newest where the log is not synced (durability 'none').
  const exportNow = (): { metadata: ExportMetadata | null; error: WireError | null } => {
    if (data.exportRoot === null) return { metadata: null, error: null };
    let snap: Snapshot;
    try {
      snap = store.snapshot({ durable: true });
    } catch {
      snap = store.snapshot();
    }
    try {
      return { metadata: writeExport(data.exportRoot, snap, { incarnation: data.incarnation }), error: null };
    } catch (err) {
      return { metadata: null, error: errorToWire(err) };
    } finally {
      snap.release();
    }
  };
  const timer = setInterval(run, data.intervalMs);
  const exportTimer = data.exportRoot === null ? null : setInterval(exportNow, data.exportIntervalMs);
  if (data.exportRoot !== null) exportNow();
  // An export asked for exports at least what was durable when asked: a submit acknowledged as
  // durable just before must be in it. The durable root trails the durable word by one wake-up of
  // the writer, so wait for it (bounded: a writer that stopped must not hold the answer forever).
  const exportAsked = async (): Promise<ReturnType<typeof exportNow>> => {
    const ctl = store.controlBlock;
    const durable = currentCounter(ctl, DURABLE_WORDS);
    await waitAbove(ctl, DURABLE_ROOT_WORDS, durable - 1, 1000);
    return exportNow();
  };
  // Requests run one after another, so that close never closes the store under a waiting export.
  let queue: Promise<unknown> = Promise.resolve();
  port.on('message', (m: CheckpointerMessage) => {
    queue = queue.then(() => serve(m));
  });
  const serve = async (m: CheckpointerMessage): Promise<void> => {
    if (m.t === 'checkpoint') {
      port.postMessage({ t: 'done', id: m.id, ...run() } satisfies CheckpointerMessage);
    } else if (m.t === 'export') {
      port.postMessage({ t: 'exported', id: m.id, ...(await exportAsked()) } satisfies CheckpointerMessage);
    } else if (m.t === 'close') {
      clearInterval(timer);
      if (exportTimer !== null) clearInterval(exportTimer);
      // close() checkpoints: the next open loads it instead of replaying the log.
      const result = run();
      store.close();
      port.postMessage({ t: 'closed', ...result } satisfies CheckpointerMessage);
      port.close();
    }
  };
  port.postMessage({ t: 'ready' });
}
