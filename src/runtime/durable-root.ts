import { DROOT_INDEX, W_DROOT_OFF, W_DROOT_SEG, W_DROOT_SEQ, W_PERSIST_FAILED } from '../memory/control.js';
import { currentCounter, DURABLE_WORDS, waitAbove } from '../memory/version-wait.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Store } from '../store/store.js';

/** Written versions kept pinned while they wait to become durable, at most. */
const MAX_PENDING = 16;

/**
 * The writer's side of `snapshot({ durable: true })`. A version becomes durable some time after it
 * is published, when the persistence worker has synced its log record; by then the root ring, and
 * reclamation, may have moved far past it. So the writer pins each version whose records it has
 * just written to the log (once per slice), and when the durable word reaches one, publishes that
 * version's root in the control block (W_DROOT_*, under a sequence lock) and keeps it pinned until
 * a newer one replaces it. Readers pin it with `PinTable.pinDurable`, whose comment argues why the
 * writer's unpin of a replaced root cannot free what a reader just pinned.
 *
 * Only the newest pending versions are kept (MAX_PENDING): if syncs fall far behind, the durable
 * root skips versions rather than holding ever more memory.
 */
export class DurableRoot {
  readonly #store: Store;
  /** Written, not yet known durable: oldest first, versions increasing. */
  readonly #pending: Snapshot[] = [];
  #published: Snapshot | null = null;
  #watching = false;
  #closed = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The writer wrote every record up to the newest version to the log: keep that version pinned. */
  written(): void {
    if (this.#closed) return;
    const snap = this.#store.snapshot();
    const last = this.#pending.at(-1);
    if (last !== undefined && last.version === snap.version) {
      snap.release();
    } else {
      this.#pending.push(snap);
      if (this.#pending.length > MAX_PENDING) this.#pending.shift()!.release();
    }
    this.publish();
    if (!this.#watching && this.#pending.length > 0) void this.#watch();
  }

  /** Publishes the newest pending version the durable word has reached, if any. */
  publish(): void {
    const ctl = this.#store.controlBlock;
    const durable = currentCounter(ctl, DURABLE_WORDS);
    let chosen = -1;
    for (let i = 0; i < this.#pending.length; i++) if (this.#pending[i]!.version <= durable) chosen = i;
    if (chosen < 0) return;
    const next = this.#pending[chosen]!;
    const ref = next.lend();
    // The sequence lock: odd while the words change, so a reader that saw it even before and after
    // its reads read one consistent root (see PinTable.pinDurable).
    Atomics.add(ctl.i32, W_DROOT_SEQ, 1);
    Atomics.store(ctl.i64, DROOT_INDEX, BigInt(ref.version));
    Atomics.store(ctl.i32, W_DROOT_SEG, ref.rootSeg);
    Atomics.store(ctl.i32, W_DROOT_OFF, ref.rootOff);
    Atomics.add(ctl.i32, W_DROOT_SEQ, 1);
    // Wakes threads waiting for the root to reach a version (DURABLE_ROOT_WORDS): at most once per
    // slice, so no waiter count is kept.
    Atomics.notify(ctl.i32, W_DROOT_SEQ);
    // Only now may the replaced root, and the pending versions older than the new one, go.
    this.#published?.release();
    this.#published = next;
    for (const old of this.#pending.splice(0, chosen + 1)) if (old !== next) old.release();
  }

  /** Stops publishing and releases every pin (the store is closing). */
  close(): void {
    this.#closed = true;
    for (const s of this.#pending.splice(0)) s.release();
    this.#published?.release();
    this.#published = null;
  }

  /** Sleeps on the durable word while versions wait for it, publishing as it advances. */
  async #watch(): Promise<void> {
    this.#watching = true;
    const ctl = this.#store.controlBlock;
    try {
      while (!this.#closed && this.#pending.length > 0 && Atomics.load(ctl.i32, W_PERSIST_FAILED) === 0) {
        // Wait for the oldest pending version, not for the word to pass what it reads now: the word
        // may have reached that version since the last publish looked, and waiting for it to move
        // again stalled the root for up to the 1 s cap when no further write came.
        await waitAbove(ctl, DURABLE_WORDS, this.#pending[0]!.version - 1, 1000);
        if (!this.#closed) this.publish();
      }
    } finally {
      this.#watching = false;
    }
  }
}
