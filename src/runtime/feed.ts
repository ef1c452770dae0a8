import { StateError } from '../errors.js';

/** One version as the commit feed hands it on. */
export interface CommitRecord {
  /** The version the record made. Versions of records increase, one by one, with no gap. */
  readonly version: number;
  /**
   * The batch as FlatBuffers bytes (src/codec/mutation.fbs): the submitted bytes as they came
   * (their own version field may be 0: this record's `version` is the one that counts), or a
   * marker batch for a version the writer made on its own. Never changed after publication.
   */
  readonly bytes: Uint8Array;
}

/** A consumer of the feed: called in order, once per record; a promise makes the next wait. */
export type FeedConsumer = (record: CommitRecord) => void | Promise<void>;

/** Options of {@link CommitFeed}. */
export interface FeedOptions {
  /** Records kept for `changes()` readers that start in the past (default 10,000). */
  windowRecords?: number;
  /** Bytes kept at most in that window (default 64 MiB); the oldest records leave first. */
  windowBytes?: number;
}

interface Subscription {
  readonly consume: FeedConsumer;
  readonly highWater: number;
  readonly queue: CommitRecord[];
  head: number;
  running: boolean;
  failed: unknown;
}

/**
 * The ordered stream of every version the writer publishes, in the writer's thread. Consumers that
 * must see every record (the write-ahead log, replication) subscribe with a high-water mark: while
 * one of them holds more unconsumed records than that, `congested` is true and the writer stops
 * taking batches, so a slow consumer slows the writer and memory stays bounded; no record is ever
 * dropped for them. Readers of `changes()` instead read a bounded window of recent records and are
 * told clearly when they fall out of it: an application's slow reader must not stall the cluster.
 */
export class CommitFeed {
  readonly #window: CommitRecord[] = [];
  /** The bytes each window record counts for, in step with `#window`. */
  readonly #sizes: number[] = [];
  #windowHead = 0;
  #windowBytes = 0;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #subs = new Set<Subscription>();
  #congested = 0;
  #onDrain: (() => void) | null = null;
  #listeners = new Set<() => void>();
  #last: number;

  constructor(startVersion: number, options: FeedOptions = {}) {
    this.#last = startVersion;
    this.#maxRecords = options.windowRecords ?? 10_000;
    this.#maxBytes = options.windowBytes ?? 64 * 1024 * 1024;
  }

  /** The newest version recorded. */
  get version(): number {
    return this.#last;
  }

  /** The oldest version a `changes()` reader can still start after (exclusive). */
  get windowStart(): number {
    const n = this.#window.length - this.#windowHead;
    return n === 0 ? this.#last : this.#window[this.#windowHead]!.version - 1;
  }

  /** Whether a subscribed consumer is behind by more than its high-water mark. */
  get congested(): boolean {
    return this.#congested > 0;
  }

  /** Called once when `congested` turns false again (the writer resumes then). */
  set onDrain(fn: (() => void) | null) {
    this.#onDrain = fn;
  }

  /**
   * Appends the record of the next version. Versions must follow each other without a gap. `size`
   * is what it counts for in the window's bytes (its encoded length, or an estimate while its
   * bytes are not encoded yet).
   */
  append(record: CommitRecord, size = record.bytes.byteLength): void {
    if (record.version !== this.#last + 1) {
      throw new StateError(
        'INVALID_BATCH',
        `commit feed: version ${record.version} does not follow ${this.#last}; the feed must see every version`,
      );
    }
    this.#last = record.version;
    this.#window.push(record);
    this.#sizes.push(size);
    this.#windowBytes += size;
    while (
      this.#window.length - this.#windowHead > this.#maxRecords ||
      (this.#windowBytes > this.#maxBytes && this.#window.length - this.#windowHead > 1)
    ) {
      this.#windowBytes -= this.#sizes[this.#windowHead]!;
      this.#window[this.#windowHead++] = undefined as unknown as CommitRecord;
    }
    // Shift the array only now and then: amortized O(1) per record.
    if (this.#windowHead > 1024 && this.#windowHead * 2 > this.#window.length) {
      this.#window.splice(0, this.#windowHead);
      this.#sizes.splice(0, this.#windowHead);
      this.#windowHead = 0;
    }
    for (const sub of this.#subs) {
      sub.queue.push(record);
      if (sub.queue.length - sub.head === sub.highWater + 1) this.#congested++;
      if (!sub.running) void this.#run(sub);
    }
    for (const listener of this.#listeners) listener();
  }

  /**
   * The records after version `from` still in the window, oldest first, or null when the window
   * no longer reaches back to `from + 1`.
   */
  since(from: number): CommitRecord[] | null {
    if (from > this.#last) return [];
    if (from < this.windowStart) return null;
    const first = this.#window.length - (this.#last - from);
    return this.#window.slice(first);
  }

  /** The record of `version` if the window still holds it. */
  at(version: number): CommitRecord | undefined {
    const i = this.#window.length - 1 - (this.#last - version);
    return i >= this.#windowHead ? this.#window[i] : undefined;
  }

  /** Calls `fn` after each append (for streams to other threads); returns the unsubscribe. */
  listen(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Hands every later record to `consume`, in order, one at a time. While more than `highWater`
   * records wait for it, the feed is congested and the writer waits. If `consume` throws, the
   * consumer is dropped and the error returned by `failure()`; the writer carries on.
   */
  subscribe(consume: FeedConsumer, highWater = 1024): { unsubscribe: () => void; failure: () => unknown } {
    const sub: Subscription = { consume, highWater, queue: [], head: 0, running: false, failed: undefined };
    this.#subs.add(sub);
    return {
      unsubscribe: () => this.#drop(sub),
      failure: () => sub.failed,
    };
  }

  async #run(sub: Subscription): Promise<void> {
    sub.running = true;
    try {
      while (sub.head < sub.queue.length && this.#subs.has(sub)) {
        const record = sub.queue[sub.head]!;
        await sub.consume(record);
        sub.queue[sub.head++] = undefined as unknown as CommitRecord;
        if (sub.queue.length - sub.head === sub.highWater) this.#uncongest();
        if (sub.head > 1024) {
          sub.queue.splice(0, sub.head);
          sub.head = 0;
        }
      }
    } catch (err) {
      sub.failed = err;
      this.#drop(sub);
    } finally {
      sub.running = false;
    }
  }

  #drop(sub: Subscription): void {
    if (!this.#subs.delete(sub)) return;
    if (sub.queue.length - sub.head > sub.highWater) this.#uncongest();
  }

  #uncongest(): void {
    this.#congested--;
    if (this.#congested === 0) this.#onDrain?.();
  }
}
