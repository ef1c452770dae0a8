/**
 * Stable codes of every error the store raises. A code never changes meaning once released, so
 * callers may branch on it; the message is for people and may be reworded.
 */
export type StateErrorCode =
  | 'INVALID_SCHEMA'
  | 'INVALID_OPTION'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'UNKNOWN_DOMAIN'
  | 'TYPE_MISMATCH'
  | 'OUT_OF_RANGE'
  | 'NULL_NOT_ALLOWED'
  | 'MISSING_KEY'
  | 'DUPLICATE_KEY'
  | 'KEY_NOT_FOUND'
  | 'KEY_UPDATE'
  | 'ROW_OUT_OF_RANGE'
  | 'ARENA_FULL'
  | 'SLOTS_FULL'
  | 'SNAPSHOT_RELEASED'
  | 'READ_ONLY'
  | 'WRITER_LEASE_HELD'
  | 'STORE_CLOSED'
  | 'NESTED_WRITE'
  | 'TX_BROKEN'
  | 'PRECONDITION_FAILED'
  | 'INVALID_BATCH'
  | 'STRING_TOO_LONG'
  | 'BATCH_TOO_LARGE'
  | 'SEGMENT_UNKNOWN'
  | 'INVALID_HANDLE'
  | 'INVALID_META'
  /** A cluster facade call got an argument it cannot take (a bad role or status, a negative size). */
  | 'INVALID_ARGUMENT'
  /** The writer's thread died: pending and later submits fail; reads of pinned versions go on. */
  | 'WRITER_DIED'
  /** A `changes()` reader asked for, or fell behind to, versions the feed's window no longer keeps. */
  | 'CHANGES_EXPIRED'
  /** A failure that is not the caller's: a bug, reported with its original message. */
  | 'INTERNAL'
  /** A query plan that cannot run: its message names the table and column. */
  | 'INVALID_QUERY'
  /**
   * A write-ahead log folder or segment this code cannot read: not a WAL folder, a file that is no
   * segment, or a segment of a newer format version. Nothing was changed.
   */
  | 'WAL_FORMAT'
  /**
   * A damaged record in the write-ahead log with valid records after it (not a torn tail): details
   * name the segment file and byte offset. Nothing was changed; `repair: true` keeps what precedes.
   */
  | 'WAL_CORRUPT'
  /** An fsync or fdatasync of the write-ahead log failed. Fatal: it is never retried. */
  | 'WAL_SYNC_FAILED'
  /** A write to the write-ahead log failed or was short. Fatal: the writer takes no more records. */
  | 'WAL_WRITE_FAILED'
  /** A checkpoint (or its manifest) is damaged, truncated, missing a file or fails its checksum; the message names the file. */
  | 'CHECKPOINT_CORRUPT'
  /** A checkpoint folder or manifest was written by a newer format version than this code reads: refused, nothing overwritten. */
  | 'CHECKPOINT_FORMAT'
  /** A checkpoint's schema differs from the requested one by more than added nullable columns; the message says what differs. */
  | 'SCHEMA_MISMATCH'
  /** A file-system operation of persistence failed (permissions, space, a vanished folder); the message names the path. */
  | 'PERSIST_IO'
  /** Another process (or this one) holds the persistence folder's writer lock (its LOCK file). */
  | 'FOLDER_LOCKED'
  /** The log could not be made durable (a failed fsync or write): the store takes no more writes. */
  | 'PERSIST_FAILED'
  /** `snapshot({ durable: true })` on a store that has published no durable version (yet). */
  | 'NOT_DURABLE';

/** Where an error happened, so that a message and a program can both name it. */
export interface StateErrorDetails {
  /** The table the failing operation addressed. */
  table?: string;
  /** The column whose value was rejected. */
  column?: string;
  /** The primary key of the row the operation addressed. */
  key?: number | string;
  /** The row position the operation addressed. */
  row?: number;
  /** The rejected value, as given. */
  value?: unknown;
  /** Index of the failing operation inside its transaction. */
  op?: number;
  /** The write-ahead log segment file (its name in the folder) where the failure is. */
  segment?: string;
  /** The byte offset in `segment` of the record that failed. */
  offset?: number;
  /** The file or folder a persistence operation addressed. */
  path?: string;
}

/**
 * The one error type of the store. Every failure that a caller can cause (bad input, a full arena,
 * a released snapshot) raises a `StateError`; the state is left exactly as it was before the call.
 */
export class StateError extends Error {
  /** Stable machine-readable code. */
  readonly code: StateErrorCode;
  /** Structured context: table, column, key, row, value. */
  readonly details: StateErrorDetails;

  constructor(code: StateErrorCode, message: string, details: StateErrorDetails = {}) {
    super(message);
    this.name = 'StateError';
    this.code = code;
    this.details = details;
  }
}

/** Formats a value for an error message without risking a huge or throwing string. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Date(invalid)' : `Date(${value.toISOString()})`;
  return Object.prototype.toString.call(value);
}
