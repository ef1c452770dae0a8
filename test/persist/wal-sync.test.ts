// WalSyncer: fdatasyncs each segment the writer wrote, oldest first, from its own descriptors, and
// reports the durable version; a failed fdatasync is WAL_SYNC_FAILED, final, and never retried.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import {
  defaultWalFs,
  readPosition,
  readWal,
  type WalFs,
  WalSyncer,
  WalWriter,
} from '../../src/persist/wal/index.js';
import { tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

/** The real file system, counting fdatasyncs; `failAfter` calls succeed, then each one fails with EIO. */
function countingFs(failAfter = Number.POSITIVE_INFINITY): { fs: WalFs; calls: () => number } {
  let calls = 0;
  const fs: WalFs = {
    ...defaultWalFs,
    fdatasyncSync(fd) {
      calls++;
      if (calls > failAfter) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      defaultWalFs.fdatasyncSync(fd);
    },
  };
  return { fs, calls: () => calls };
}

describe('WalSyncer', () => {
  it('makes the shared position durable, syncing each segment once more after the writer left it', () => {
    const { fs, calls } = countingFs();
    const wal = WalWriter.open(dir, { segmentBytes: 1000 });
    const syncer = new WalSyncer(dir, { fs });
    expect(readPosition(wal.shared)).toEqual({ version: 0, firstVersion: 0 });
    wal.appendMany([1, 2].map((v) => ({ version: v, bytes: new Uint8Array(300) })));
    expect(readPosition(wal.shared)).toEqual({ version: 2, firstVersion: 1 });
    expect(syncer.syncShared(wal.shared)).toBe(2);
    expect(calls()).toBe(1);
    // Nothing new: no fdatasync.
    expect(syncer.syncShared(wal.shared)).toBe(2);
    expect(calls()).toBe(1);
    // Version 3 fills segment 1; 4..9 go into segments 4 and 7: segment 1 once more, then 4 and 7.
    for (let v = 3; v <= 9; v++) wal.append(v, new Uint8Array(300));
    expect(wal.position).toMatchObject({ firstVersion: 7, version: 9 });
    expect(wal.position.segment).toMatch(/wal-00000000000000000007\.log$/);
    expect(syncer.syncShared(wal.shared)).toBe(9);
    expect(calls()).toBe(4);
    expect(syncer.durable).toBe(9);
    wal.close();
    syncer.close();
  });

  it('syncs every segment on its first call, records of an earlier process included', () => {
    const before = WalWriter.open(dir, { segmentBytes: 1000 });
    for (let v = 1; v <= 9; v++) before.append(v, new Uint8Array(300));
    before.close();
    const { fs, calls } = countingFs();
    const wal = WalWriter.open(dir, { lastVersion: 9, segmentBytes: 1000 });
    const syncer = new WalSyncer(dir, { fs });
    expect(syncer.syncShared(wal.shared)).toBe(9);
    expect(calls()).toBe(3);
    syncer.close();
    wal.close();
  });

  it('a failing fdatasync is WAL_SYNC_FAILED naming the segment, and never retried', () => {
    const { fs, calls } = countingFs(1);
    const wal = WalWriter.open(dir);
    const syncer = new WalSyncer(dir, { fs });
    wal.append(1, new Uint8Array(10));
    expect(syncer.syncShared(wal.shared)).toBe(1);
    wal.append(2, new Uint8Array(10));
    let first: unknown;
    try {
      syncer.syncShared(wal.shared);
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(StateError);
    expect((first as StateError).code).toBe('WAL_SYNC_FAILED');
    expect((first as StateError).details.segment).toBe('wal-00000000000000000001.log');
    expect((first as StateError).message).toContain('EIO');
    expect(calls()).toBe(2);
    // Later calls raise the same error without calling fdatasync again; durable stays where it was.
    wal.append(3, new Uint8Array(10));
    expect(() => syncer.syncShared(wal.shared)).toThrow(first as Error);
    expect(() => syncer.sync({ version: 3, firstVersion: 1 })).toThrow(first as Error);
    expect(calls()).toBe(2);
    expect(syncer.durable).toBe(1);
    wal.close();
    syncer.close();
  });

  it('a failed write is WAL_WRITE_FAILED and the writer takes nothing more', () => {
    let writes = 0;
    const fs: WalFs = {
      ...defaultWalFs,
      writeSync: ((fd: number, buf: Uint8Array, off: number, len: number, pos: number) => {
        if (++writes === 3) {
          // Half the record reaches the file, then the disk is full.
          defaultWalFs.writeSync(fd, buf, off, Math.floor(len / 2), pos);
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return defaultWalFs.writeSync(fd, buf, off, len, pos);
      }) as WalFs['writeSync'],
    };
    const wal = WalWriter.open(dir, { fs });
    wal.append(1, new Uint8Array(100));
    expect(() => wal.append(2, new Uint8Array(100))).toThrow(
      expect.objectContaining({ code: 'WAL_WRITE_FAILED' }),
    );
    expect(() => wal.append(3, new Uint8Array(100))).toThrow(
      expect.objectContaining({ code: 'WAL_WRITE_FAILED' }),
    );
    expect(wal.version).toBe(1);
    // What it left is a torn tail: recovery cuts the half record and keeps version 1.
    const res = readWal(dir);
    expect(res.records.map((r) => r.version)).toEqual([1]);
    expect(res.torn).toMatchObject({ cut: true, fault: 'incomplete' });
  });
});
