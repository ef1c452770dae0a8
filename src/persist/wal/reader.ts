import { constants } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../../errors.js';
import {
  checkRecord,
  RECORD_HEADER_BYTES,
  type RecordFault,
  SEGMENT_HEADER_BYTES,
  SEGMENT_MAGIC,
  WAL_FORMAT_VERSION,
} from './format.js';
import { defaultWalFs, FILE_MODE, listSegments, type SegmentEntry, syncFolder, type WalFs } from './fs.js';

/** One record read back from the log. */
export interface WalRecord {
  readonly version: number;
  /** The payload (a view of the segment's bytes read into memory, not of the file). */
  readonly bytes: Uint8Array;
  /** The segment file name and the record's byte offset in it. */
  readonly segment: string;
  readonly offset: number;
}

/** Options of {@link readWal}. */
export interface WalReadOptions {
  /** Return only records with a greater version (the checkpoint's version; default 0: all). */
  after?: number;
  /**
   * 'recover' (default): the writer's open; a torn tail is cut from the files. 'readonly': no
   * writer (beside a live one or not); a torn tail is the end, nothing is written, no lock taken.
   */
  mode?: 'recover' | 'readonly';
  /**
   * On mid-log damage, keep the records before it and report the rest instead of refusing with
   * `WAL_CORRUPT`. In 'recover' mode the damaged remainder is set aside in `*.damaged` files
   * (never deleted); in 'readonly' mode nothing is touched.
   */
  repair?: boolean;
  /** The file-system calls (tests replace some). */
  fs?: WalFs;
}

/** Where the log stopped being valid, and what became of the rest. */
export interface WalDamage {
  /** The segment file and byte offset of the first bad record (0: its header). */
  readonly segment: string;
  readonly offset: number;
  /** What was wrong there. */
  readonly fault: RecordFault | 'header' | 'order';
  /** Bytes from there to the end of the log (that segment's rest and every later segment). */
  readonly bytes: number;
  /** Versions of the valid records found after the damage: lost to this read. Empty for a torn tail. */
  readonly versions: readonly number[];
  /** Whether the files were changed: the segment cut at `offset`, later segments set aside. */
  readonly cut: boolean;
  /** The `*.damaged` files that now hold what was set aside (only a repair copies the segment). */
  readonly setAside: readonly string[];
}

/** What {@link readWal} found. */
export interface WalReadResult {
  /** The records after `after`, in version order. */
  readonly records: WalRecord[];
  /** The version of the last valid record of the segments read, or null when they hold none. */
  readonly lastVersion: number | null;
  /** A torn tail (an incomplete last write): cut in 'recover' mode, ignored in 'readonly'. */
  readonly torn: WalDamage | null;
  /** Mid-log damage that `repair: true` dropped, with the versions lost. */
  readonly dropped: WalDamage | null;
}

interface Bad {
  readonly index: number;
  readonly offset: number;
  readonly fault: WalDamage['fault'];
}

/**
 * Reads the write-ahead log in `folder`: every record after `options.after`, across segments in
 * order, each checked (header, length, CRC32, versions strictly increasing; a segment's first record
 * has the version its name says). Segments that end before `after` are not read.
 *
 * The first bad record ends the log. It is a torn tail when it is incomplete or fails its CRC and
 * no valid record lies after it, in its segment (a scan at every 8-byte offset) or a later one:
 * what a write cut short by a crash leaves. 'recover' cuts it (the segment truncated to its last
 * good record and fsynced; later segments, which hold nothing valid, renamed `*.damaged`);
 * 'readonly' stops there and writes nothing. Anything else is mid-log damage, refused with
 * `WAL_CORRUPT` naming the segment and offset, unless `repair` is given.
 *
 * A segment with another magic, or of a newer format version, or a record with flags this version
 * does not know, is `WAL_FORMAT`: written by something else, and nothing is changed.
 */
export function readWal(folder: string, options: WalReadOptions = {}): WalReadResult {
  const fs = options.fs ?? defaultWalFs;
  const after = options.after ?? 0;
  const mode = options.mode ?? 'recover';
  const segments = listSegments(folder, fs);
  const bufs = new Map<number, Buffer>();
  const read = (i: number): Buffer => {
    let buf = bufs.get(i);
    if (buf === undefined) {
      try {
        buf = fs.readFileSync(join(folder, segments[i]!.name));
      } catch (err) {
        // A reader beside a live writer may see a segment pruned under it: nothing to read there.
        if (mode !== 'readonly' || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        buf = Buffer.alloc(0);
      }
      bufs.set(i, buf);
    }
    return buf;
  };

  let start = 0;
  while (start + 1 < segments.length && segments[start + 1]!.firstVersion <= after + 1) start++;
  const records: WalRecord[] = [];
  let prev = -1;
  let bad: Bad | null = null;
  scan: for (let i = start; i < segments.length; i++) {
    const seg = segments[i]!;
    const buf = read(i);
    // An empty file: a crash came between creating the segment and writing its header.
    if (buf.length === 0) continue;
    if (buf.length < SEGMENT_HEADER_BYTES) {
      bad = { index: i, offset: 0, fault: 'incomplete' };
      break;
    }
    checkSegmentHeader(folder, seg, buf);
    if (Number(buf.readBigUInt64LE(8)) !== seg.firstVersion) {
      bad = { index: i, offset: 0, fault: 'header' };
      break;
    }
    let o = SEGMENT_HEADER_BYTES;
    while (o < buf.length) {
      const r = checkRecord(buf, o);
      if (r === 'flags') {
        throw new StateError(
          'WAL_FORMAT',
          `WAL ${seg.name}: the record at offset ${o} has flags of a newer format`,
          {
            segment: seg.name,
            offset: o,
          },
        );
      }
      if (typeof r === 'string') {
        bad = { index: i, offset: o, fault: r };
        break scan;
      }
      const first = o === SEGMENT_HEADER_BYTES;
      if (r.version <= prev || (first && r.version !== seg.firstVersion)) {
        bad = { index: i, offset: o, fault: 'order' };
        break scan;
      }
      prev = r.version;
      if (r.version > after) {
        records.push({
          version: r.version,
          bytes: buf.subarray(r.start, r.start + r.length),
          segment: seg.name,
          offset: o,
        });
      }
      o = r.next;
    }
  }
  const lastVersion = prev < 0 ? null : prev;
  if (bad === null) return { records, lastVersion, torn: null, dropped: null };

  const versions = validAfter(segments, bad, read);
  const seg = segments[bad.index]!;
  let bytes = read(bad.index).length - bad.offset;
  for (let i = bad.index + 1; i < segments.length; i++) bytes += read(i).length;
  const isTorn =
    versions.length === 0 && (bad.fault === 'incomplete' || bad.fault === 'magic' || bad.fault === 'crc');
  if (!isTorn && options.repair !== true) {
    throw new StateError(
      'WAL_CORRUPT',
      `WAL ${join(folder, seg.name)}: damaged record at byte offset ${bad.offset} (${bad.fault}), with ${versions.length} valid record(s) after it` +
        (versions.length > 0 ? ` (versions ${versions[0]} to ${versions[versions.length - 1]})` : '') +
        `; nothing was changed. readWal(..., { repair: true }) keeps the records before it and sets the rest aside`,
      { segment: seg.name, offset: bad.offset },
    );
  }
  let setAside: string[] = [];
  const cut = mode === 'recover';
  if (cut) setAside = cutAt(folder, segments, bad, !isTorn, fs);
  const damage: WalDamage = {
    segment: seg.name,
    offset: bad.offset,
    fault: bad.fault,
    bytes,
    versions,
    cut,
    setAside,
  };
  return isTorn
    ? { records, lastVersion, torn: damage, dropped: null }
    : { records, lastVersion, torn: null, dropped: damage };
}

/** Refuses a segment header this code cannot read, before anything is changed. */
function checkSegmentHeader(folder: string, seg: SegmentEntry, buf: Buffer): void {
  if (buf.readUInt32LE(0) !== SEGMENT_MAGIC) {
    throw new StateError('WAL_FORMAT', `${join(folder, seg.name)} is no WAL segment (bad magic)`, {
      segment: seg.name,
      offset: 0,
    });
  }
  const format = buf.readUInt32LE(4);
  if (format === 0 || format > WAL_FORMAT_VERSION) {
    throw new StateError(
      'WAL_FORMAT',
      `${join(folder, seg.name)} is a WAL segment of format version ${format}; this code reads version ${WAL_FORMAT_VERSION}`,
      { segment: seg.name, offset: 4 },
    );
  }
}

/**
 * The versions of valid records after `bad`: in its segment at every 8-byte offset past it, and in
 * every later segment from its first record on. A record found is stepped over whole, so a payload
 * that happens to hold record-like bytes is not counted twice. A torn write leaves none; damage in
 * the middle of the log leaves the records written after it.
 */
function validAfter(segments: SegmentEntry[], bad: Bad, read: (i: number) => Buffer): number[] {
  const versions: number[] = [];
  for (let i = bad.index; i < segments.length; i++) {
    const buf = read(i);
    // A record out of order is valid in itself and dropped with the rest: count it too.
    const from = bad.fault === 'order' ? bad.offset : bad.offset + 8;
    let o = i === bad.index ? Math.max(from, SEGMENT_HEADER_BYTES) : SEGMENT_HEADER_BYTES;
    while (o + RECORD_HEADER_BYTES <= buf.length) {
      const r = checkRecord(buf, o);
      if (typeof r === 'string') o += 8;
      else {
        versions.push(r.version);
        o = r.next;
      }
    }
  }
  return versions;
}

/**
 * Cuts the log at `bad`, in an order that a crash at any step leaves recoverable: first the copy of
 * the damaged segment (a repair only: a torn tail holds nothing valid) is written and fsynced, then
 * the segment is truncated and fsynced, then later segments are renamed aside and the folder
 * fsynced. Returns the names of the `*.damaged` files.
 */
function cutAt(folder: string, segments: SegmentEntry[], bad: Bad, keepCopy: boolean, fs: WalFs): string[] {
  const setAside: string[] = [];
  const seg = segments[bad.index]!;
  const path = join(folder, seg.name);
  if (keepCopy) {
    const aside = freeName(folder, seg.name, fs);
    fs.copyFileSync(path, join(folder, aside), constants.COPYFILE_EXCL);
    fs.chmodSync(join(folder, aside), FILE_MODE);
    syncFile(join(folder, aside), fs);
    setAside.push(aside);
  }
  // A segment whose header is damaged keeps nothing: cut it to an empty file, which reads as none.
  const keep = bad.offset < SEGMENT_HEADER_BYTES ? 0 : bad.offset;
  const fd = fs.openSync(path, 'r+');
  try {
    fs.ftruncateSync(fd, keep);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  for (let i = bad.index + 1; i < segments.length; i++) {
    const aside = freeName(folder, segments[i]!.name, fs);
    fs.renameSync(join(folder, segments[i]!.name), join(folder, aside));
    setAside.push(aside);
  }
  syncFolder(folder, fs);
  return setAside;
}

/** `<name>.damaged`, or `<name>.<n>.damaged` for the first n free, so no earlier copy is overwritten. */
function freeName(folder: string, name: string, fs: WalFs): string {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${name}.damaged` : `${name}.${n}.damaged`;
    try {
      fs.statSync(join(folder, candidate));
    } catch {
      return candidate;
    }
  }
}

function syncFile(path: string, fs: WalFs): void {
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
