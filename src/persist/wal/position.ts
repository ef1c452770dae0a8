/** How far the log goes, as the writer knows it. */
export interface WalPosition {
  /** Path of the current segment ('' before the first record of this writer). */
  readonly segment: string;
  /** The first version of that segment (0 before the first record). */
  readonly firstVersion: number;
  /** Byte offset after the last record written to it. */
  readonly offset: number;
  /** Version of the last record written. */
  readonly version: number;
}

/** What another thread reads of the writer's position: enough to fdatasync up to `version`. */
export interface SharedWalPosition {
  /** The last record written. */
  readonly version: number;
  /** First version of a segment at or after the one holding `version` (0: none written yet). */
  readonly firstVersion: number;
}

// Two BigInt64 words: [0] the version of the last record written, [1] the first version of the
// segment holding it. After each write returned, the writer stores the segment word, then the
// version word. A reader loads the version first, then the segment word: in the total order of these
// sequentially consistent operations, the segment store that preceded the version store it saw comes
// before its second load, so the segment word it reads is that one or a later one. Segment words
// only grow, so syncing every segment up to the one it reads covers the record of the version it
// read. No lock and no retry loop is needed.

/** The writer's side: store the segment word, then the version word. */
export function publishPosition(shared: SharedArrayBuffer, firstVersion: number, version: number): void {
  const words = new BigInt64Array(shared);
  Atomics.store(words, 1, BigInt(firstVersion));
  Atomics.store(words, 0, BigInt(version));
}

/** Reads a writer's `shared` position from any thread. */
export function readPosition(shared: SharedArrayBuffer): SharedWalPosition {
  const words = new BigInt64Array(shared);
  const version = Number(Atomics.load(words, 0));
  const firstVersion = Number(Atomics.load(words, 1));
  return { version, firstVersion };
}
