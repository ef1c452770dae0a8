// The soak (issue 8, section 4): `ACS_SOAK=1 npm run test:soak` runs 1,000,000 transactions on a
// 100,000-account table while two reader threads check every version they pin. Without
// ACS_SOAK=1, `npm run test:soak` runs 20,000 transactions on the same table.
import { describe, it } from 'vitest';
import { expectSound, soakSummary } from './soak-expect.js';
import { runSoak } from './soak-harness.js';

const FULL = process.env.ACS_SOAK === '1';
const TRANSACTIONS = FULL ? 1_000_000 : 20_000;

describe('soak', () => {
  it(
    `${TRANSACTIONS} mixed transactions on 100,000 accounts, two readers checking every pin`,
    async () => {
      const r = await runSoak({
        transactions: TRANSACTIONS,
        shape: {
          accounts: 100_000,
          nodes: 300,
          tagPool: 2_000,
          maxTags: 6,
          maxNote: 160,
          initialBalance: 1_000,
        },
        seed: 8,
        readers: 2,
        rowGroupSize: 512,
        // Low thresholds: in the full run every domain compacts tens of times.
        compactMinStrings: 256,
        compactDeadFraction: 0.1,
        debug: true,
        // 1,000 samples, so each quarter's median is over 250 of them.
        sampleEvery: TRANSACTIONS / 1_000,
        verifications: 4,
        progressLines: FULL ? 20 : 4,
        progress: (line) => console.log(`soak: ${line}`),
      });
      console.log(soakSummary(r));
      // 20,000 transactions are too few for every domain to compact; 1,000,000 compact each many times.
      expectSound(r, { everyDomainCompacts: FULL, memoryRatio: 1.1 });
    },
    4 * 3600_000,
  );
});
