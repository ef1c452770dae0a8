// A flipped byte in the middle of the log is not a torn tail: valid records follow it. readWal
// refuses with WAL_CORRUPT naming the segment and byte offset and changes nothing; with
// `repair: true` it keeps what precedes the damage, sets the rest aside in *.damaged files and
// reports the versions dropped.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { recordCrc } from '../../src/persist/wal/format.js';
import { readWal, type WalRecord, WalWriter } from '../../src/persist/wal/index.js';
import { hashes, lengthOf, payload, tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Versions 1..n in segments of 4 KiB; returns the records as read. */
function writeLog(n: number): WalRecord[] {
  const wal = WalWriter.open(dir, { segmentBytes: 4096 });
  for (let v = 1; v <= n; v++) wal.append(v, payload(v, lengthOf(v, 700)));
  wal.close();
  return readWal(dir, { mode: 'readonly' }).records;
}

function flip(segment: string, offset: number): void {
  const path = join(dir, segment);
  const bytes = readFileSync(path);
  bytes[offset]! ^= 0x01;
  writeFileSync(path, bytes);
}

function corruptError(fn: () => unknown): StateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe('WAL_CORRUPT');
    return err as StateError;
  }
  throw new Error('expected WAL_CORRUPT');
}

describe('mid-log damage', () => {
  it('is refused in both modes with the segment and offset, and nothing changes', () => {
    const records = writeLog(60);
    const hit = records[20]!;
    const segments = new Set(records.map((r) => r.segment));
    expect(segments.size).toBeGreaterThan(3);
    // A payload byte of version 21: its CRC fails, and records follow in this segment and later ones.
    flip(hit.segment, hit.offset + 24 + 3);
    const before = hashes(dir);
    for (const mode of ['recover', 'readonly'] as const) {
      const err = corruptError(() => readWal(dir, { mode }));
      expect(err.details).toEqual({ segment: hit.segment, offset: hit.offset });
      expect(err.message).toContain(join(dir, hit.segment));
      expect(err.message).toContain(`byte offset ${hit.offset}`);
      expect(err.message).toContain('versions 22 to 60');
    }
    expect(hashes(dir)).toEqual(before);
    // A read after the damaged segment (a newer checkpoint) does not look at it.
    const later = records.find((r) => r.segment > hit.segment)!;
    expect(readWal(dir, { after: later.version - 1 }).records[0]!.version).toBe(later.version);
  });

  it('in a length field (the record seems to run past the end) is still damage, not a torn tail', () => {
    const records = writeLog(40);
    const last = records.filter((r) => r.segment === records[39]!.segment);
    const hit = last[0]!;
    if (last.length < 2) throw new Error('the test needs two records in the last segment');
    flip(hit.segment, hit.offset + 7); // the length's high byte: far past the end of the file
    const err = corruptError(() => readWal(dir));
    expect(err.details).toEqual({ segment: hit.segment, offset: hit.offset });
  });

  it('readonly with repair: keeps what precedes, reports the rest, writes nothing', () => {
    const records = writeLog(50);
    const hit = records[30]!;
    flip(hit.segment, hit.offset + 9); // the version field: CRC fails
    const before = hashes(dir);
    const res = readWal(dir, { mode: 'readonly', repair: true });
    expect(res.records.map((r) => r.version)).toEqual(range(1, 30));
    expect(res.lastVersion).toBe(30);
    expect(res.torn).toBeNull();
    expect(res.dropped).toMatchObject({ segment: hit.segment, offset: hit.offset, fault: 'crc', cut: false });
    expect(res.dropped!.versions).toEqual(range(32, 50));
    expect(hashes(dir)).toEqual(before);
  });

  it('recover with repair: the damaged segment copied aside and cut, later segments renamed aside', () => {
    const records = writeLog(50);
    const hit = records[30]!;
    const later = [...new Set(records.filter((r) => r.segment > hit.segment).map((r) => r.segment))];
    expect(later.length).toBeGreaterThan(0);
    flip(hit.segment, hit.offset + 24);
    const original = readFileSync(join(dir, hit.segment));
    const res = readWal(dir, { repair: true });
    expect(res.records.map((r) => r.version)).toEqual(range(1, 30));
    expect(res.dropped).toMatchObject({ segment: hit.segment, offset: hit.offset, cut: true });
    expect(res.dropped!.versions).toEqual(range(32, 50));
    expect(res.dropped!.setAside).toEqual([`${hit.segment}.damaged`, ...later.map((s) => `${s}.damaged`)]);
    // Nothing deleted: the whole damaged segment is in its copy, later segments under new names.
    expect(readFileSync(join(dir, `${hit.segment}.damaged`)).equals(original)).toBe(true);
    expect(statSync(join(dir, hit.segment)).size).toBe(hit.offset);
    for (const s of later) {
      expect(existsSync(join(dir, s))).toBe(false);
      expect(existsSync(join(dir, `${s}.damaged`))).toBe(true);
    }
    // The log is whole again and the writer goes on after version 30.
    const again = readWal(dir);
    expect(again.dropped).toBeNull();
    expect(again.lastVersion).toBe(30);
    const wal = WalWriter.open(dir, { lastVersion: 30, segmentBytes: 4096 });
    wal.append(31, payload(31, 10));
    wal.close();
    expect(readWal(dir).records.map((r) => r.version)).toEqual(range(1, 31));
  });

  it('a record out of order (valid CRC) is damage too, whatever follows', () => {
    const wal = WalWriter.open(dir);
    wal.appendMany([1, 2, 3].map((v) => ({ version: v, bytes: payload(v, 16) })));
    wal.close();
    // Rewrite version 3's record as version 2, with a valid CRC: a writer bug, not a torn write.
    const [, , third] = readWal(dir).records;
    const path = join(dir, third!.segment);
    const bytes = readFileSync(path);
    bytes.writeBigUInt64LE(2n, third!.offset + 8);
    bytes.writeUInt32LE(recordCrc(bytes, third!.offset, bytes.length), third!.offset + 20);
    writeFileSync(path, bytes);
    const err = corruptError(() => readWal(dir));
    expect(err.details.offset).toBe(third!.offset);
    const res = readWal(dir, { repair: true, mode: 'readonly' });
    expect(res.dropped).toMatchObject({ fault: 'order', versions: [2] });
  });
});
