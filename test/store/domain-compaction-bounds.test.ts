import { describe, expect, it } from 'vitest';
import { dictionary, int32, list, Store, schema, table } from '../../src/index.js';

const s = schema([
  table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' }),
  table(
    'tasks',
    { id: dictionary('task'), node: dictionary('node', { nullable: true }), peers: list(dictionary('node')) },
    { key: 'id' },
  ),
]);

describe('dictionary domain compaction, over millions of ids', () => {
  it('keeps the arena bounded while millions of distinct ids come and go', () => {
    const store = Store.create(s, { rowGroupSize: 1024, segmentBytes: 4 * 1024 * 1024 });
    const LIVE = 10_000;
    const BATCH = 1_000;
    const TOTAL = 2_000_000;
    let next = 0;
    store.write((tx) => {
      for (; next < LIVE; next++)
        tx.insert('nodes', { id: `node-${next}-with-a-longer-identifier`, n: next });
    });
    const loaded = store.stats().usedBytes;
    let peak = 0;
    let peakStrings = 0;
    while (next < TOTAL) {
      store.write((tx) => {
        for (let k = 0; k < BATCH; k++, next++) {
          tx.delete('nodes', `node-${next - LIVE}-with-a-longer-identifier`);
          tx.insert('nodes', { id: `node-${next}-with-a-longer-identifier`, n: next });
        }
      });
      peak = Math.max(peak, store.stats().arenaBytes);
      peakStrings = Math.max(
        peakStrings,
        store.read((r) => r.domainSize('node')),
      );
    }
    // Stated ceiling: the live rows and strings at most four times over, plus two segments.
    expect(peak).toBeLessThanOrEqual(4 * loaded + 2 * 4 * 1024 * 1024);
    expect(peakStrings).toBeLessThanOrEqual(2 * LIVE + BATCH);
    store.read((r) => {
      expect(r.count('nodes')).toBe(LIVE);
      expect(r.get('nodes', `node-${TOTAL - 1}-with-a-longer-identifier`)?.n).toBe(TOTAL - 1);
      expect(r.get('nodes', `node-${TOTAL - LIVE}-with-a-longer-identifier`)?.n).toBe(TOTAL - LIVE);
      expect(r.codeOf('node', `node-${TOTAL - LIVE - 1}-with-a-longer-identifier`)).toBe(-1);
    });
    store.close();
  }, 120_000);
});
