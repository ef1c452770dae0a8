import { crc32 } from 'node:zlib';

// The byte layout of WAL segments and records: the contract of docs/wal.md. Every integer is
// little-endian. Nothing here touches files.

/** 'ACSW' read as a little-endian u32: the first four bytes of every segment file. */
export const SEGMENT_MAGIC = 0x57534341;
/** 'ACSR' read as a little-endian u32: the first four bytes of every record. */
export const RECORD_MAGIC = 0x52534341;
/** The segment format this code writes and the newest it reads. */
export const WAL_FORMAT_VERSION = 1;
/** Segment header: magic (u32), format version (u32), first version (u64). */
export const SEGMENT_HEADER_BYTES = 16;
/** Record header: magic (u32), payload length (u32), version (u64), flags (u32), crc32 (u32). */
export const RECORD_HEADER_BYTES = 24;
/** The largest payload a record may carry (1 GiB): a larger length field is damage. */
export const MAX_RECORD_BYTES = 2 ** 30;

const SEGMENT_NAME = /^wal-(\d{20})\.log$/;
const DAMAGED_NAME = /^wal-\d{20}\.log(\.\d+)?\.damaged$/;

/** The file name of the segment whose first record has `firstVersion`: `wal-<20 digits>.log`. */
export function segmentName(firstVersion: number): string {
  return `wal-${String(firstVersion).padStart(20, '0')}.log`;
}

/** The first version a segment file name stands for, or null when the name is no segment's. */
export function parseSegmentName(name: string): number | null {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return null;
  const v = Number(m[1]);
  return Number.isSafeInteger(v) ? v : null;
}

/** Whether `name` is a damaged remainder that a repair set aside (`wal-....log[.N].damaged`). */
export function isDamagedName(name: string): boolean {
  return DAMAGED_NAME.test(name);
}

/** `n` rounded up to a multiple of 8: records start 8-aligned, so a scan can step by 8. */
export function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** The bytes a record of a `length`-byte payload takes in a segment, header and padding included. */
export function recordBytes(length: number): number {
  return RECORD_HEADER_BYTES + pad8(length);
}

/** Writes the 16-byte segment header into `out` at 0. */
export function writeSegmentHeader(out: Buffer, firstVersion: number): void {
  out.writeUInt32LE(SEGMENT_MAGIC, 0);
  out.writeUInt32LE(WAL_FORMAT_VERSION, 4);
  out.writeBigUInt64LE(BigInt(firstVersion), 8);
}

/**
 * Writes one record (header, payload, zero padding) into `out` at `at` and returns the offset after
 * it. The CRC covers header bytes 0-19 and then the payload with its padding, so a flipped bit
 * anywhere in the record but the CRC field itself fails the check (and one there fails it too).
 */
export function writeRecord(out: Buffer, at: number, version: number, payload: Uint8Array): number {
  const length = payload.byteLength;
  const end = at + recordBytes(length);
  out.writeUInt32LE(RECORD_MAGIC, at);
  out.writeUInt32LE(length, at + 4);
  out.writeBigUInt64LE(BigInt(version), at + 8);
  out.writeUInt32LE(0, at + 16);
  out.set(payload, at + RECORD_HEADER_BYTES);
  // Padding must be zero: it is under the CRC, and an allocUnsafe buffer holds old bytes there.
  out.fill(0, at + RECORD_HEADER_BYTES + length, end);
  out.writeUInt32LE(recordCrc(out, at, end), at + 20);
  return end;
}

/** The CRC32 of the record at `at` ending at `end`: header bytes 0-19, then payload and padding. */
export function recordCrc(buf: Uint8Array, at: number, end: number): number {
  const head = crc32(buf.subarray(at, at + 20));
  return crc32(buf.subarray(at + RECORD_HEADER_BYTES, end), head);
}

/** Why the bytes at an offset are no valid record. */
export type RecordFault = 'incomplete' | 'magic' | 'length' | 'crc' | 'flags' | 'version';

/** A record read back: where it lies and what it holds. */
export interface RecordView {
  readonly version: number;
  /** Payload offset and length within the segment's bytes. */
  readonly start: number;
  readonly length: number;
  /** Offset of the next record. */
  readonly next: number;
}

/**
 * Checks the record at `at` in a segment's bytes. A record is valid when its header is whole, its
 * magic and length are sane, the payload and padding fit in the bytes, the CRC matches, its flags
 * are 0 and its version is a safe integer. Version order is the caller's to check.
 */
export function checkRecord(buf: Buffer, at: number): RecordView | RecordFault {
  if (buf.length - at < RECORD_HEADER_BYTES) return 'incomplete';
  if (buf.readUInt32LE(at) !== RECORD_MAGIC) return 'magic';
  const length = buf.readUInt32LE(at + 4);
  if (length > MAX_RECORD_BYTES) return 'length';
  const next = at + recordBytes(length);
  if (next > buf.length) return 'incomplete';
  if (buf.readUInt32LE(at + 20) !== recordCrc(buf, at, next)) return 'crc';
  // A valid CRC with flags set is a record of a newer format, not damage; report it as such.
  if (buf.readUInt32LE(at + 16) !== 0) return 'flags';
  const v = buf.readBigUInt64LE(at + 8);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return 'version';
  return { version: Number(v), start: at + RECORD_HEADER_BYTES, length, next };
}
