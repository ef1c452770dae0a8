// pruneWal removes the segments whose records all precede a version, never the newest segment.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneWal, readWal, segmentName, WalWriter } from '../../src/persist/wal/index.js';
import { tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

/** Versions 1..40, three 300-byte records a segment: segments start at 1, 4, 7, ..., 40. */
function writeLog(): WalWriter {
  const wal = WalWriter.open(dir, { segmentBytes: 1000 });
  for (let v = 1; v <= 40; v++) wal.append(v, new Uint8Array(300));
  return wal;
}

describe('pruneWal', () => {
  it('removes exactly the segments wholly before the version', () => {
    writeLog().close();
    // Segment 7 holds 7, 8, 9: before version 10 it goes, before 9 it stays.
    expect(pruneWal(dir, 9)).toEqual([segmentName(1), segmentName(4)]);
    expect(existsSync(join(dir, segmentName(7)))).toBe(true);
    expect(pruneWal(dir, 10)).toEqual([segmentName(7)]);
    expect(pruneWal(dir, 10)).toEqual([]);
    const res = readWal(dir);
    expect(res.records[0]!.version).toBe(10);
    expect(res.lastVersion).toBe(40);
  });

  it('never removes the newest segment, even when all its records are older', () => {
    const wal = writeLog();
    expect(pruneWal(dir, 1000)).toHaveLength(13);
    expect(readdirSync(dir)).toEqual([segmentName(40)]);
    // The writer appends on, into a new segment.
    wal.append(41, new Uint8Array(3));
    wal.close();
    expect(readWal(dir, { after: 39 }).records.map((r) => r.version)).toEqual([40, 41]);
  });

  it('leaves *.damaged files alone', () => {
    writeLog().close();
    writeFileSync(join(dir, `${segmentName(1)}.damaged`), 'x');
    pruneWal(dir, 1000);
    expect(readdirSync(dir).sort()).toEqual([`${segmentName(1)}.damaged`, segmentName(40)]);
  });
});
