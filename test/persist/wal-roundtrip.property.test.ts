// Records of random sizes, appended one by one or in groups across many segment rotations, read back
// exactly: every version once, in order, byte for byte, from any `after`, in both modes.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readWal, WalWriter } from '../../src/persist/wal/index.js';
import { tempFolder } from './wal-helpers.js';

const recordsArb = fc.array(
  fc.record({
    gap: fc.integer({ min: 1, max: 3 }),
    bytes: fc.uint8Array({ minLength: 0, maxLength: 700 }),
    group: fc.integer({ min: 1, max: 5 }),
  }),
  { minLength: 1, maxLength: 120 },
);

describe('WAL round trip', () => {
  it('reads back every appended record, across rotations, after any version', () => {
    fc.assert(
      fc.property(
        recordsArb,
        fc.integer({ min: 64, max: 4096 }),
        fc.nat(),
        fc.boolean(),
        (input, segmentBytes, afterPick, reopen) => {
          const { dir, cleanup } = tempFolder();
          try {
            let version = 0;
            const written = input.map((r) => {
              version += r.gap;
              return { version, bytes: r.bytes, group: r.group };
            });
            let wal = WalWriter.open(dir, { segmentBytes });
            for (let i = 0; i < written.length; ) {
              const n = Math.min(written[i]!.group, written.length - i);
              if (n === 1) wal.append(written[i]!.version, written[i]!.bytes);
              else wal.appendMany(written.slice(i, i + n));
              i += n;
              // Halfway, close and reopen, as a restarted writer would (after recovery).
              if (reopen && i >= written.length / 2 && i - n < written.length / 2) {
                wal.close();
                const rec = readWal(dir);
                expect(rec.lastVersion).toBe(written[i - 1]!.version);
                wal = WalWriter.open(dir, { lastVersion: rec.lastVersion!, segmentBytes });
              }
            }
            expect(wal.version).toBe(version);
            wal.close();

            const after = written[afterPick % written.length]!.version - 1;
            for (const mode of ['recover', 'readonly'] as const) {
              const res = readWal(dir, { after, mode });
              const want = written.filter((r) => r.version > after);
              expect(res.torn).toBeNull();
              expect(res.dropped).toBeNull();
              expect(res.records.map((r) => r.version)).toEqual(want.map((r) => r.version));
              res.records.forEach((r, k) => {
                expect(Buffer.from(r.bytes).equals(Buffer.from(want[k]!.bytes))).toBe(true);
              });
              expect(res.lastVersion).toBe(version);
            }
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rotates: each segment is named by its first version and closes once past segmentBytes', () => {
    const { dir, cleanup } = tempFolder();
    try {
      const wal = WalWriter.open(dir, { segmentBytes: 1000 });
      for (let v = 1; v <= 40; v++) wal.append(v, new Uint8Array(300).fill(v));
      wal.close();
      const names = readdirSync(dir).sort();
      // 16-byte header, 24 + 304-byte records: a segment takes 3 (16 + 2 * 328 < 1000 <= 16 + 3 * 328).
      expect(names).toHaveLength(14);
      expect(names[1]).toBe('wal-00000000000000000004.log');
      expect(readWal(dir).records).toHaveLength(40);
    } finally {
      cleanup();
    }
  });
});
