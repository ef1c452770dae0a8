import { W_DURABLE, W_PERSIST_FAILED } from '../memory/control.js';
import { storeCounter, WRITTEN_WORDS } from '../memory/version-wait.js';
import type { Durability } from '../persist/options.js';
import { WalWriter } from '../persist/wal/index.js';
import type { Store } from '../store/store.js';
import { DurableRoot } from './durable-root.js';
import type { CommitRecord } from './feed.js';

/**
 * The writer's side of the write-ahead log: records of published versions wait here until the
 * writer flushes them (once per slice, or at once for an inline write), go to the log in one plain
 * write, and then the written word tells the persistence worker how far the log goes. Each flush
 * also offers the newest version to the durable root (snapshot({ durable: true })).
 */
export class Journal {
  readonly #store: Store;
  #wal: WalWriter | null;
  #pending: CommitRecord[] = [];
  readonly #durableRoot: DurableRoot | null;

  /** Opens the log in `walFolder` after the store's recovered version (everything up to it is written). */
  constructor(store: Store, walFolder: string, durability: Durability) {
    this.#store = store;
    this.#wal = WalWriter.open(walFolder, { lastVersion: store.version });
    storeCounter(store.controlBlock, WRITTEN_WORDS, store.version);
    // The recovered version is the first candidate for snapshot({ durable: true }), once synced.
    this.#durableRoot = durability === 'none' ? null : new DurableRoot(store);
    this.#durableRoot?.written();
  }

  /** The log's shared position, for the persistence worker. */
  get position(): SharedArrayBuffer | null {
    return this.#wal?.shared ?? null;
  }

  /** Queues the record of a version just published. */
  add(record: CommitRecord): void {
    if (this.#wal !== null) this.#pending.push(record);
  }

  /** Appends the queued records in one write, then tells the persistence worker. */
  flush(): void {
    const wal = this.#wal;
    const pending = this.#pending;
    if (wal === null || pending.length === 0) return;
    this.#pending = [];
    try {
      wal.appendMany(pending);
    } catch (err) {
      // A log that cannot be written cannot make anything durable: the failure word stops the
      // writer taking batches (see WriterHost#apply) and wakes durable waits to see it.
      const ctl = this.#store.controlBlock;
      Atomics.store(ctl.i32, W_PERSIST_FAILED, 1);
      Atomics.notify(ctl.i32, W_DURABLE);
      process.emitWarning(`write-ahead log: ${(err as Error).message}`, { code: 'ACS_WAL_FAILED' });
      this.#wal = null;
      return;
    }
    storeCounter(this.#store.controlBlock, WRITTEN_WORDS, pending[pending.length - 1]!.version);
    this.#durableRoot?.written();
  }

  /** Flushes, closes the log and releases the durable root's pins. */
  close(): void {
    this.flush();
    this.#wal?.close();
    this.#durableRoot?.close();
  }
}
