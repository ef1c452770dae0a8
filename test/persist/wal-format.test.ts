// Bad input is refused with WAL_FORMAT before anything is written: a folder that is not a WAL
// folder, a file under a segment's name that is no segment, a segment of a newer format version.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordCrc } from '../../src/persist/wal/format.js';
import { readWal, segmentName, WalWriter } from '../../src/persist/wal/index.js';
import { hashes, tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

const format = expect.objectContaining({ code: 'WAL_FORMAT' });

function writeLog(n: number): void {
  const wal = WalWriter.open(dir);
  for (let v = 1; v <= n; v++) wal.append(v, new Uint8Array(20).fill(v));
  wal.close();
}

describe('WAL_FORMAT', () => {
  it('a folder holding other files is not a WAL folder: reader and writer refuse, nothing written', () => {
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    mkdirSync(join(dir, 'photos'));
    const before = hashes(dir);
    for (const mode of ['recover', 'readonly'] as const) {
      expect(() => readWal(dir, { mode })).toThrow(format);
    }
    expect(() => WalWriter.open(dir)).toThrow(format);
    expect(() => readWal(dir)).toThrow(/is not a WAL folder/);
    expect(hashes(dir)).toEqual(before);
  });

  it('a missing folder cannot be read', () => {
    expect(() => readWal(join(dir, 'nowhere'), { mode: 'readonly' })).toThrow(format);
  });

  it('a segment of a newer format version is refused, not cut', () => {
    writeLog(3);
    const path = join(dir, segmentName(1));
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(2, 4);
    writeFileSync(path, bytes);
    const before = hashes(dir);
    expect(() => readWal(dir)).toThrow(format);
    expect(() => readWal(dir, { repair: true })).toThrow(/format version 2; this code reads version 1/);
    expect(hashes(dir)).toEqual(before);
  });

  it('a file named like a segment that is no segment is refused', () => {
    writeFileSync(join(dir, segmentName(1)), 'not a WAL segment, but long enough');
    const before = hashes(dir);
    expect(() => readWal(dir, { repair: true })).toThrow(format);
    expect(hashes(dir)).toEqual(before);
  });

  it('a record with flags this version does not know is refused', () => {
    writeLog(2);
    const path = join(dir, segmentName(1));
    const bytes = readFileSync(path);
    // Set flags on the first record (offset 16) and fix its CRC, as a newer writer would.
    bytes.writeUInt32LE(1, 16 + 16);
    bytes.writeUInt32LE(recordCrc(bytes, 16, 16 + 24 + 24), 16 + 20);
    writeFileSync(path, bytes);
    expect(() => readWal(dir)).toThrow(format);
  });
});
