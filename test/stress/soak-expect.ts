// What every soak must show, whatever its size: the summary line and the assertions.
import { expect } from 'vitest';
import { mib, type SoakResult } from './soak-harness.js';

/** One line that says what the soak did and saw. */
export function soakSummary(r: SoakResult): string {
  const violations = r.readers.reduce((s, x) => s + x.violations, 0);
  return (
    `soak summary: ${r.transactions} transactions (${r.committed} committed, refused ${JSON.stringify(r.refused)}), ` +
    `pins checked ${r.readers.map((x) => x.pins).join(' + ')}, violations ${violations}, ` +
    `writer failures ${r.writerFailures.length}, compactions ${JSON.stringify(r.compactions)}, ` +
    `final version ${r.finalVersion}, used bytes: 2nd quarter ${mib(r.secondQuarterBytes)}, ` +
    `last quarter ${mib(r.lastQuarterBytes)}, peak ${mib(r.peakBytes)}, final ${mib(r.finalBytes)}; ` +
    `load ${(r.loadMs / 1000).toFixed(1)} s, run ${(r.runMs / 1000).toFixed(1)} s`
  );
}

/** What a soak of some length can promise beyond zero violations. */
export interface SoakPromises {
  /** Every dictionary domain compacted at least once. */
  everyDomainCompacts: boolean;
  /** The last quarter's median used bytes are at most this times the second quarter's. */
  memoryRatio: number;
}

/**
 * Zero violations in readers and writer; the run moved versions under the readers and refused
 * transactions of every kind; and what `promises` says about compactions and memory.
 */
export function expectSound(r: SoakResult, promises: SoakPromises): void {
  // Joined, so a failure prints the messages rather than an elided array.
  for (const x of r.readers) expect(x.failures.join('\n')).toBe('');
  expect(r.readers.map((x) => x.violations)).toEqual(r.readers.map(() => 0));
  expect(r.writerFailures.join('\n')).toBe('');
  for (const x of r.readers) {
    expect(x.pins).toBeGreaterThan(0);
    expect(x.last).toBeLessThanOrEqual(r.finalVersion);
  }
  expect(r.readers.reduce((s, x) => s + x.versionsSeen, 0)).toBeGreaterThan(10);
  expect(Object.keys(r.refused).sort()).toEqual(['DUPLICATE_KEY', 'PRECONDITION_FAILED', 'Refused']);
  if (promises.everyDomainCompacts) {
    for (const d of ['account', 'node', 'tag']) expect(r.compactions[d], d).toBeGreaterThan(0);
  }
  expect(r.lastQuarterBytes).toBeLessThanOrEqual(promises.memoryRatio * r.secondQuarterBytes);
}
