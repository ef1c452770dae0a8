// Every folder the WAL creates is 0700 and every file 0600: the log holds the state's data.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readWal, WalWriter } from '../../src/persist/wal/index.js';
import { tempFolder } from './wal-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempFolder());
});
afterEach(() => cleanup());

const mode = (path: string): number => statSync(path).mode & 0o777;

it('creates folders 0700 and segments (and repair copies) 0600, whatever the umask allows', () => {
  const old = process.umask(0o000);
  try {
    const folder = join(dir, 'state', 'wal');
    const wal = WalWriter.open(folder, { segmentBytes: 200 });
    for (let v = 1; v <= 6; v++) wal.append(v, new Uint8Array(100).fill(v));
    wal.close();
    expect(mode(join(dir, 'state'))).toBe(0o700);
    expect(mode(folder)).toBe(0o700);
    const names = readdirSync(folder);
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) expect(mode(join(folder, name))).toBe(0o600);

    // A repair's copy of the damaged segment is 0600 too.
    const first = join(folder, names.sort()[0]!);
    const bytes = readFileSync(first);
    bytes[40]! ^= 0xff;
    writeFileSync(first, bytes);
    const res = readWal(folder, { repair: true });
    for (const name of res.dropped!.setAside) expect(mode(join(folder, name))).toBe(0o600);
  } finally {
    process.umask(old);
  }
});
