import { join } from 'node:path';
import { StateError } from '../../errors.js';
import { segmentName } from './format.js';
import { defaultWalFs, listSegments, type WalFs } from './fs.js';
import { readPosition, type SharedWalPosition } from './position.js';

/** Options of {@link WalSyncer}. */
export interface WalSyncerOptions {
  /** The file-system calls (tests replace `fdatasyncSync` to simulate a failing disk). */
  fs?: WalFs;
}

/**
 * The durable side of the write-ahead log, in the persistence worker: fdatasyncs the segments the
 * writer wrote and says up to which version the log is durable.
 *
 * It opens its own read-only descriptor of each segment: on Linux, fdatasync flushes a file's
 * written data whatever descriptor wrote it, so the writer's thread never waits for the disk.
 * Segments are synced oldest first, and a segment is synced once more after the writer moved past
 * it (its last records came after the previous sync), then left. A failed fdatasync is final: the
 * kernel may have dropped the dirty pages it failed to write and cleared the error, so a retry could
 * succeed while data is lost (PostgreSQL's "fsyncgate"). The syncer raises `WAL_SYNC_FAILED` and
 * raises it again on every later call; the store must stop and recover from disk.
 */
export class WalSyncer {
  readonly #folder: string;
  readonly #fs: WalFs;
  /** The segment whose descriptor is held (the newest synced), or -1 before the first sync. */
  #current = -1;
  #fd = -1;
  #durable = 0;
  #failed: StateError | null = null;

  constructor(folder: string, options: WalSyncerOptions = {}) {
    this.#folder = folder;
    this.#fs = options.fs ?? defaultWalFs;
  }

  /** The version up to which the log is known durable (0 before the first sync). */
  get durable(): number {
    return this.#durable;
  }

  /** Reads a writer's shared position and syncs up to it. See {@link sync}. */
  syncShared(shared: SharedArrayBuffer): number {
    return this.sync(readPosition(shared));
  }

  /**
   * Makes every record up to `target.version` durable and returns the version now durable. The
   * first call syncs every segment up to `target.firstVersion` (all of them when it is 0), since
   * records written before this process (then recovered) may not be on disk either; later calls
   * sync from the segment synced last. A target not past `durable` costs nothing.
   */
  sync(target: SharedWalPosition): number {
    if (this.#failed !== null) throw this.#failed;
    if (target.version <= this.#durable && this.#current >= 0) return this.#durable;
    const upTo = target.firstVersion === 0 ? Number.MAX_SAFE_INTEGER : target.firstVersion;
    if (this.#current >= 0 && upTo === this.#current) {
      this.#datasync(this.#fd, this.#current);
    } else {
      for (const seg of listSegments(this.#folder, this.#fs)) {
        if (seg.firstVersion < this.#current || seg.firstVersion > upTo) continue;
        if (seg.firstVersion === this.#current) {
          this.#datasync(this.#fd, seg.firstVersion);
          continue;
        }
        const fd = this.#open(seg.name, seg.firstVersion);
        this.#datasync(fd, seg.firstVersion);
        this.#closeCurrent();
        this.#current = seg.firstVersion;
        this.#fd = fd;
      }
    }
    if (target.version > this.#durable) this.#durable = target.version;
    if (this.#current < 0) this.#current = 0;
    return this.#durable;
  }

  /** Closes the held descriptor. Syncs nothing. */
  close(): void {
    this.#closeCurrent();
  }

  #open(name: string, firstVersion: number): number {
    try {
      return this.#fs.openSync(join(this.#folder, name), 'r');
    } catch (err) {
      throw this.#fail(err, firstVersion, name);
    }
  }

  #datasync(fd: number, firstVersion: number): void {
    try {
      this.#fs.fdatasyncSync(fd);
    } catch (err) {
      if (fd !== this.#fd) this.#fs.closeSync(fd);
      throw this.#fail(err, firstVersion);
    }
  }

  #closeCurrent(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    this.#fs.closeSync(fd);
  }

  #fail(err: unknown, firstVersion: number, name = segmentName(firstVersion)): StateError {
    this.#failed = new StateError(
      'WAL_SYNC_FAILED',
      `WAL sync of ${join(this.#folder, name)} failed: ${(err as Error).message}; durable stays at version ${this.#durable}, never retried`,
      { segment: name },
    );
    try {
      this.#closeCurrent();
    } catch {
      // The sync failure is the one to report.
    }
    return this.#failed;
  }
}
