// A small soak in `npm test`, so the harness of `npm run test:soak` keeps working: the same mix
// and checks on 10,000 accounts, with thresholds low enough that every domain compacts.
import { describe, it } from 'vitest';
import { expectSound, soakSummary } from './soak-expect.js';
import { runSoak } from './soak-harness.js';

describe('soak harness, small', () => {
  it('6,000 mixed transactions on 10,000 accounts, two readers checking every pin', async () => {
    const r = await runSoak({
      transactions: 6_000,
      shape: { accounts: 10_000, nodes: 50, tagPool: 150, maxTags: 6, maxNote: 160, initialBalance: 1_000 },
      seed: 9,
      readers: 2,
      rowGroupSize: 256,
      compactMinStrings: 32,
      compactDeadFraction: 0.1,
      debug: true,
      sampleEvery: 6,
      verifications: 2,
    });
    console.log(soakSummary(r));
    // Quarters of 1,500 transactions are as short as the domains' compaction cycles, and readers'
    // pins move the samples by several percent, so 10% would be flaky here. A reclamation leak
    // grows memory many times over, and still fails this bound.
    expectSound(r, { everyDomainCompacts: true, memoryRatio: 1.5 });
  });
});
