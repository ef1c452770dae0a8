import { dirname, join } from 'node:path';
import { StateError } from '../../errors.js';
import {
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  recordBytes,
  SEGMENT_HEADER_BYTES,
  segmentName,
  writeRecord,
  writeSegmentHeader,
} from './format.js';
import { defaultWalFs, FILE_MODE, FOLDER_MODE, listSegments, syncFolder, type WalFs } from './fs.js';
import { publishPosition, type WalPosition } from './position.js';

/** One record to append: the commit feed's `CommitRecord` fits. */
export interface WalRecordInput {
  readonly version: number;
  readonly bytes: Uint8Array;
}

/** Options of {@link WalWriter.open}. */
export interface WalWriterOptions {
  /**
   * The version of the last record the log holds (what `readWal(..., { mode: 'recover' })`
   * returned as `lastVersion`), or of the checkpoint the state starts from; 0 for a new log.
   * Every appended version must be greater.
   */
  lastVersion?: number;
  /** A segment takes no more records once it holds this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** The file-system calls (tests replace some). */
  fs?: WalFs;
}

/**
 * The appending side of the write-ahead log, in the writer's thread. Each record goes into the
 * current segment with plain `writeSync` calls: no fsync of data here, so a commit never waits for
 * the disk. Making records durable is the {@link WalSyncer}'s job in another thread; `position` and
 * `shared` tell it how far the log goes.
 *
 * A segment is created when the first record that goes into it is appended, and is named by that
 * record's version; a segment that holds `segmentBytes` or more takes no more records. Open a
 * writer only after `readWal(folder, { mode: 'recover' })` cut any torn tail: it writes after
 * whatever the last segment holds, in a segment of its own.
 */
export class WalWriter {
  readonly #folder: string;
  readonly #fs: WalFs;
  readonly #segmentBytes: number;
  readonly #shared = new SharedArrayBuffer(16);
  #fd = -1;
  #segment = '';
  #firstVersion = 0;
  #offset = 0;
  #version: number;
  #scratch = Buffer.allocUnsafe(64 * 1024);
  #failed: StateError | null = null;

  private constructor(folder: string, lastVersion: number, segmentBytes: number, fs: WalFs) {
    this.#folder = folder;
    this.#fs = fs;
    this.#segmentBytes = segmentBytes;
    this.#version = lastVersion;
    publishPosition(this.#shared, 0, lastVersion);
  }

  /**
   * Opens the log in `folder` for appending, creating the folder (mode 0700, its parent fsynced)
   * if it does not exist. A folder that holds anything but WAL files is refused with `WAL_FORMAT`.
   */
  static open(folder: string, options: WalWriterOptions = {}): WalWriter {
    const fs = options.fs ?? defaultWalFs;
    const lastVersion = options.lastVersion ?? 0;
    const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    if (!Number.isSafeInteger(lastVersion) || lastVersion < 0) {
      throw new StateError('INVALID_OPTION', `WalWriter: lastVersion must be a safe integer >= 0`, {
        value: lastVersion,
      });
    }
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES) {
      throw new StateError('INVALID_OPTION', `WalWriter: segmentBytes must be an integer >= 40`, {
        value: segmentBytes,
      });
    }
    let created = false;
    try {
      fs.statSync(folder);
    } catch {
      fs.mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
      created = true;
    }
    const segments = listSegments(folder, fs);
    const last = segments[segments.length - 1];
    if (last !== undefined && last.firstVersion > lastVersion + 1) {
      throw new StateError(
        'INVALID_OPTION',
        `WalWriter: the log already holds versions from ${last.firstVersion} (${last.name}), after lastVersion ${lastVersion}`,
        { segment: last.name },
      );
    }
    if (created) syncFolder(dirname(folder), fs);
    return new WalWriter(folder, lastVersion, segmentBytes, fs);
  }

  /** The version of the last record appended (or `lastVersion` before the first append). */
  get version(): number {
    return this.#version;
  }

  /**
   * Where the log ends: the current segment's path and first version, the byte offset after the
   * last record written, and that record's version. Read it in this thread; other threads read
   * `shared`.
   */
  get position(): WalPosition {
    return {
      segment: this.#segment === '' ? '' : join(this.#folder, this.#segment),
      firstVersion: this.#firstVersion,
      offset: this.#offset,
      version: this.#version,
    };
  }

  /**
   * The position for other threads: a 16-byte SharedArrayBuffer read with `readPosition` (the
   * version of the last record written and the first version of a segment at or after the one
   * holding it). Post it to the persistence worker once.
   */
  get shared(): SharedArrayBuffer {
    return this.#shared;
  }

  /** Appends one record. See {@link appendMany}. */
  append(version: number, bytes: Uint8Array): void {
    this.appendMany([{ version, bytes }]);
  }

  /**
   * Appends records in order, with one `writeSync` per segment they go into. Versions must
   * increase (`INVALID_BATCH` otherwise, before anything is written). A failed or short write
   * is `WAL_WRITE_FAILED`, and final: the segment may now end in a torn record, and anything
   * written after it would be mid-log damage, so this writer refuses every later append.
   */
  appendMany(records: readonly WalRecordInput[]): void {
    if (this.#failed !== null) throw this.#failed;
    let prev = this.#version;
    for (const r of records) {
      if (!Number.isSafeInteger(r.version) || r.version <= prev) {
        throw new StateError('INVALID_BATCH', `WAL: version ${r.version} does not follow ${prev}`, {
          value: r.version,
        });
      }
      if (r.bytes.byteLength > MAX_RECORD_BYTES) {
        throw new StateError('BATCH_TOO_LARGE', `WAL: a record of ${r.bytes.byteLength} bytes exceeds 1 GiB`);
      }
      prev = r.version;
    }
    let i = 0;
    while (i < records.length) {
      if (this.#fd < 0) this.#startSegment(records[i]!.version);
      // Take records while the segment stays under its size; always at least one, so a record
      // larger than segmentBytes still goes in (into a segment of its own).
      let size = 0;
      let j = i;
      do size += recordBytes(records[j++]!.bytes.byteLength);
      while (j < records.length && this.#offset + size < this.#segmentBytes);
      if (this.#scratch.length < size)
        this.#scratch = Buffer.allocUnsafe(Math.max(size, this.#scratch.length * 2));
      const buf = this.#scratch;
      let at = 0;
      for (let k = i; k < j; k++) at = writeRecord(buf, at, records[k]!.version, records[k]!.bytes);
      this.#write(buf, size);
      this.#offset += size;
      this.#version = records[j - 1]!.version;
      publishPosition(this.#shared, this.#firstVersion, this.#version);
      if (this.#offset >= this.#segmentBytes) this.#endSegment();
      i = j;
    }
  }

  /** Closes the current segment's file. The log stays as written; nothing is synced. */
  close(): void {
    this.#endSegment();
    this.#failed ??= new StateError('STORE_CLOSED', 'WAL writer closed');
  }

  /**
   * Creates the segment named by `firstVersion` (mode 0600) and writes its header, then fsyncs the
   * folder: a record the syncer later makes durable would be lost after a crash if the file's
   * directory entry were not. A file of that name with no record in it (a crash came before the
   * first record was whole, and recovery cut it to nothing) is reused; one with records is
   * refused, since it would hold versions at or after one we are about to write.
   */
  #startSegment(firstVersion: number): void {
    const name = segmentName(firstVersion);
    const path = join(this.#folder, name);
    const fs = this.#fs;
    let fd: number;
    try {
      fd = fs.openSync(path, 'wx', FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.#fail(err, name);
      if (fs.statSync(path).size > SEGMENT_HEADER_BYTES) {
        throw new StateError('INVALID_OPTION', `WalWriter: segment ${name} exists and holds records`, {
          segment: name,
        });
      }
      fd = fs.openSync(path, 'w', FILE_MODE);
    }
    this.#fd = fd;
    this.#segment = name;
    this.#firstVersion = firstVersion;
    this.#offset = 0;
    const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
    writeSegmentHeader(header, firstVersion);
    this.#write(header, SEGMENT_HEADER_BYTES);
    this.#offset = SEGMENT_HEADER_BYTES;
    try {
      syncFolder(this.#folder, fs);
    } catch (err) {
      throw this.#fail(err, name, 'WAL_SYNC_FAILED');
    }
  }

  #endSegment(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    this.#fs.closeSync(fd);
  }

  /** Writes `n` bytes of `buf` at the segment's end, looping over short writes. */
  #write(buf: Buffer, n: number): void {
    let done = 0;
    try {
      while (done < n) {
        const w = this.#fs.writeSync(this.#fd, buf, done, n - done, this.#offset + done);
        if (w <= 0) throw new Error(`write returned ${w}`);
        done += w;
      }
    } catch (err) {
      throw this.#fail(err, this.#segment);
    }
  }

  #fail(
    err: unknown,
    segment: string,
    code: 'WAL_WRITE_FAILED' | 'WAL_SYNC_FAILED' = 'WAL_WRITE_FAILED',
  ): StateError {
    this.#failed = new StateError(code, `WAL ${segment}: ${(err as Error).message}`, {
      segment,
      offset: this.#offset,
    });
    try {
      this.#endSegment();
    } catch {
      // The failure above is the one to report.
    }
    return this.#failed;
  }
}
