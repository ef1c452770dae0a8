import type { MessagePort } from 'node:worker_threads';
import { openControl, W_DURABLE, W_PERSIST_FAILED } from '../memory/control.js';
import {
  currentCounter,
  DURABLE_WORDS,
  storeCounter,
  WRITTEN_WORDS,
  waitAbove,
} from '../memory/version-wait.js';
import { errorToWire, type WireError } from '../runtime/wire.js';
import type { Durability } from './options.js';
import { readPosition, type WalFs, WalSyncer } from './wal/index.js';

/** What the runtime passes to the persistence worker. */
export interface PersisterData {
  /** The store's control block: the written, durable and failure words. */
  readonly control: SharedArrayBuffer;
  readonly walFolder: string;
  /** The log writer's shared position (see WalWriter.shared). */
  readonly walPosition: SharedArrayBuffer;
  readonly durability: Durability;
  readonly syncIntervalMs: number;
  /** The file-system calls of the log's syncer (only where the persister runs in the caller's thread: tests). */
  readonly fs?: WalFs;
}

/** Between the runtime and its persistence worker. */
export type PersisterMessage =
  | { readonly t: 'sync'; readonly id: number }
  | { readonly t: 'synced'; readonly id: number; readonly durable: number }
  | { readonly t: 'failed'; readonly error: WireError }
  | { readonly t: 'close' }
  | { readonly t: 'closed'; readonly durable: number };

/**
 * The logic of `workers/persist`: makes the write-ahead log durable and says how far, so that the
 * writer's thread never waits for the disk. Under `always` it sleeps until the writer reports a
 * newer written version, fdatasyncs every record written so far (one sync covers all of them: group
 * commit), and publishes the durable version, waking durable submits. Under `interval` it syncs on
 * a timer; under `none` only when asked (close).
 *
 * A failed fdatasync is final (see WalSyncer): the failure word turns the store read-only for the
 * writer, waiters are woken to see it, and the runtime is told. Nothing is retried.
 */
export function servePersister(port: MessagePort, data: PersisterData): void {
  const ctl = openControl(data.control);
  const syncer = new WalSyncer(data.walFolder, data.fs === undefined ? {} : { fs: data.fs });
  let durable = currentCounter(ctl, DURABLE_WORDS);
  let failed = false;
  let stopping = false;

  const syncNow = (): void => {
    if (failed) return;
    try {
      const target = readPosition(data.walPosition);
      if (target.version <= durable) return;
      durable = syncer.sync(target);
      storeCounter(ctl, DURABLE_WORDS, durable);
    } catch (err) {
      failed = true;
      // Store the flag before waking: a woken durable submit checks it when the version did not come.
      Atomics.store(ctl.i32, W_PERSIST_FAILED, 1);
      Atomics.notify(ctl.i32, W_DURABLE);
      port.postMessage({ t: 'failed', error: errorToWire(err) } satisfies PersisterMessage);
    }
  };

  let timer: NodeJS.Timeout | null = null;
  if (data.durability === 'always') {
    void (async () => {
      while (!stopping && !failed) {
        // Bounded, so that a close is seen even when nothing is written.
        await waitAbove(ctl, WRITTEN_WORDS, durable, 200);
        if (!stopping) syncNow();
      }
    })();
  } else if (data.durability === 'interval') {
    timer = setInterval(syncNow, data.syncIntervalMs);
  }

  port.on('message', (m: PersisterMessage) => {
    if (m.t === 'sync') {
      syncNow();
      port.postMessage({ t: 'synced', id: m.id, durable } satisfies PersisterMessage);
    } else if (m.t === 'close') {
      stopping = true;
      if (timer !== null) clearInterval(timer);
      syncNow();
      syncer.close();
      port.postMessage({ t: 'closed', durable } satisfies PersisterMessage);
      port.close();
    }
  });
}
