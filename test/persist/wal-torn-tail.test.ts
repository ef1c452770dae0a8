// A write cut short by a crash leaves a torn tail: 'recover' cuts it at the last whole record,
// 'readonly' stops there and leaves every byte as it was; the writer then goes on after the cut.
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWal, segmentName, WalWriter } from '../../src/persist/wal/index.js';
import { hashes, lengthOf, payload, tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

/** Writes versions 1..n (segments of 4 KiB) and returns the offset of each record in its segment. */
function writeLog(n: number): { segment: string; offset: number }[] {
  const wal = WalWriter.open(dir, { segmentBytes: 4096 });
  for (let v = 1; v <= n; v++) wal.append(v, payload(v, lengthOf(v, 900)));
  wal.close();
  return readWal(dir, { mode: 'readonly' }).records.map((r) => ({
    segment: join(dir, r.segment),
    offset: r.offset,
  }));
}

function expectVersions(got: { version: number; bytes: Uint8Array }[], last: number): void {
  expect(got.map((r) => r.version)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  for (const r of got)
    expect(Buffer.from(r.bytes).equals(Buffer.from(payload(r.version, lengthOf(r.version, 900))))).toBe(true);
}

describe('a torn tail', () => {
  it('of an incomplete last record: readonly stops before it and changes nothing; recover cuts it', () => {
    const at = writeLog(30);
    const last = at[29]!;
    const whole = readFileSync(last.segment);
    const size = whole.length;
    // Every cut inside the last record: its header half-written, its payload half-written.
    for (const keep of [last.offset + 1, last.offset + 23, last.offset + 24, size - 1]) {
      truncateSync(last.segment, keep);
      const before = hashes(dir);
      const ro = readWal(dir, { mode: 'readonly' });
      expectVersions(ro.records, 29);
      expect(ro.torn).toMatchObject({
        offset: last.offset,
        bytes: keep - last.offset,
        cut: false,
        setAside: [],
      });
      expect(ro.dropped).toBeNull();
      expect(hashes(dir)).toEqual(before);
      writeFileSync(last.segment, whole);
    }
    truncateSync(last.segment, last.offset + 40);
    const rec = readWal(dir, { mode: 'recover' });
    expectVersions(rec.records, 29);
    expect(rec.lastVersion).toBe(29);
    expect(rec.torn).toMatchObject({ offset: last.offset, bytes: 40, cut: true, fault: 'incomplete' });
    expect(statSync(last.segment).size).toBe(last.offset);
    // Cut once: a second read finds a whole log, and the writer goes on after version 29.
    expect(readWal(dir).torn).toBeNull();
    const wal = WalWriter.open(dir, { lastVersion: 29, segmentBytes: 4096 });
    wal.append(30, payload(30, lengthOf(30, 900)));
    wal.close();
    expectVersions(readWal(dir).records, 30);
  });

  it('of a last record whose CRC fails (a write that reached the disk in part) is cut the same way', () => {
    const at = writeLog(12);
    const last = at[11]!;
    const bytes = readFileSync(last.segment);
    bytes[last.offset + 30]! ^= 0x40;
    writeFileSync(last.segment, bytes);
    const before = hashes(dir);
    const ro = readWal(dir, { mode: 'readonly' });
    expect(ro.torn).toMatchObject({ fault: 'crc', offset: last.offset, cut: false });
    expect(hashes(dir)).toEqual(before);
    const rec = readWal(dir);
    expectVersions(rec.records, 11);
    expect(rec.torn).toMatchObject({ fault: 'crc', cut: true });
    expect(statSync(last.segment).size).toBe(last.offset);
  });

  it('of zeros after the last record (a file extended but not written) is cut', () => {
    const at = writeLog(5);
    const seg = at[4]!.segment;
    writeFileSync(seg, Buffer.concat([readFileSync(seg), Buffer.alloc(4096)]));
    const rec = readWal(dir);
    expectVersions(rec.records, 5);
    expect(rec.torn).toMatchObject({ fault: 'magic', bytes: 4096, cut: true });
  });

  it('of a new segment whose header was cut short: readonly ignores it, recover empties it, the writer reuses it', () => {
    writeLog(8);
    const fresh = join(dir, segmentName(9));
    writeFileSync(fresh, Buffer.from([0x41, 0x43, 0x53]), { mode: 0o600 });
    const before = hashes(dir);
    const ro = readWal(dir, { mode: 'readonly' });
    expectVersions(ro.records, 8);
    expect(ro.torn).toMatchObject({ segment: segmentName(9), offset: 0, bytes: 3, cut: false });
    expect(hashes(dir)).toEqual(before);
    const rec = readWal(dir);
    expect(rec.torn).toMatchObject({ segment: segmentName(9), cut: true });
    expect(statSync(fresh).size).toBe(0);
    expect(readWal(dir).torn).toBeNull();
    const wal = WalWriter.open(dir, { lastVersion: 8 });
    wal.append(9, payload(9, lengthOf(9, 900)));
    wal.close();
    expectVersions(readWal(dir).records, 9);
  });
});
