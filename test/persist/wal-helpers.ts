// Helpers of the WAL tests: a temporary folder per test, payloads that say which version they are,
// and file hashes to show that a read changed nothing.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the OS temp folder; `cleanup` removes it. */
export function tempFolder(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'acs-wal-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The payload of `version`: `length` bytes drawn from a generator seeded by the version. */
export function payload(version: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (version * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A payload of `version` that is fast to make (a native fill of an 8-byte block that holds the
 * version), for tests that need many large records and little time spent outside writes.
 */
export function fastPayload(version: number, length: number): Uint8Array {
  const block = Buffer.alloc(8);
  block.writeUInt32LE(version >>> 0, 0);
  block.writeUInt32LE((version * 2654435761) >>> 0, 4);
  return Buffer.alloc(length, block);
}

/** A payload length that varies with the version, from 0 to `max - 1` bytes. */
export function lengthOf(version: number, max: number): number {
  return (version * 7919) % max;
}

/** Name -> sha256 of every file in `dir`: equal before and after means nothing was touched. */
export function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (statSync(join(dir, name)).isDirectory()) out[name] = 'folder';
    else
      out[name] = createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex');
  }
  return out;
}
