// The writer's allocator alone: what alloc + free cost on the paths a store takes. "single-row
// commits" replays what one single-row update of the core bench asks for (a 16 KiB chunk, its
// row-group block, the table directory and the root; the four blocks it replaces are freed 64
// commits later, when reclamation scans). "random churn" keeps 10,000 blocks of 64 B .. 64 KiB
// (log-uniform) alive and replaces a random one each step; "drifting churn" does the same while the
// sizes' range slides from 64 B .. 1 KiB up to 4 KiB .. 64 KiB and back twice, and reports the
// arena's size over the most bytes that were in use at once. Times are the thread's CPU time per
// alloc + free pair (process.cpuUsage: on a shared machine wall time counts the waits for a core),
// the fastest and the median of 7 runs.
// Run: npm run bench:arena
import { Arena } from '../src/memory/arena.js';
import { SegmentTable } from '../src/memory/segments.js';

const SEGMENT = 64 * 2 ** 20;

function arena(segmentBytes = SEGMENT): Arena {
  return new Arena(new SegmentTable(null), { segmentBytes, maxBytes: 2 ** 40, poison: false }, () => {});
}

/** mulberry32. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** CPU nanoseconds of this process since `from`. */
function cpuNs(from: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(from);
  return (user + system) * 1000;
}

const COMMIT_SIZES = [16_384, 336, 616, 96];
const INTERVAL = 64;

interface Result {
  ns: number;
  arenaBytes: number;
  /** The most bytes in use at once, where measured. */
  peakUsed?: number;
}

function singleRowCommits(commits: number): Result {
  const a = arena();
  const pending: number[] = [];
  let t0 = process.cpuUsage();
  // The first thousand commits warm up (and take the first segment) untimed.
  for (let c = -1024; c < commits; c++) {
    if (c === 0) t0 = process.cpuUsage();
    for (const bytes of COMMIT_SIZES) pending.push(a.alloc(bytes), bytes);
    if ((c + 1) % INTERVAL === 0) {
      // Free what the commits before the last scan retired; keep the latest interval's blocks.
      const keep = INTERVAL * COMMIT_SIZES.length * 2;
      const n = pending.length - keep;
      for (let i = 0; i < n; i += 2) a.free(pending[i]!, pending[i + 1]!);
      pending.copyWithin(0, n);
      pending.length = keep;
    }
  }
  return { ns: cpuNs(t0) / (commits * COMMIT_SIZES.length), arenaBytes: a.stats().arenaBytes };
}

function randomChurn(steps: number, drift = false): Result {
  // Small segments for the drift, so that the arena's size is measured finely.
  const a = arena(drift ? 4 * 2 ** 20 : SEGMENT);
  let peak = 0;
  const rand = prng(7);
  let step = 0;
  // Log2 of the smallest size: fixed at 6 (64 B), or sliding between 6 and 12 (4 KiB).
  const low = () => (drift ? 9 - 3 * Math.cos((4 * Math.PI * step) / steps) : 6);
  const size = () => Math.floor(2 ** (low() + rand() * (drift ? 4 : 10)));
  const LIVE = 10_000;
  const refs: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < LIVE; i++) {
    sizes.push(size());
    refs.push(a.alloc(sizes[i]!));
  }
  const t0 = process.cpuUsage();
  for (; step < steps; step++) {
    const i = Math.floor(rand() * LIVE);
    a.free(refs[i]!, sizes[i]!);
    sizes[i] = size();
    refs[i] = a.alloc(sizes[i]!);
    if (drift) peak = Math.max(peak, a.stats().usedBytes);
  }
  return { ns: cpuNs(t0) / steps, arenaBytes: a.stats().arenaBytes, ...(drift ? { peakUsed: peak } : {}) };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
console.log(`Arena alloc + free, Node ${process.version}; 7 runs\n`);
console.log(
  '| workload | CPU ns per alloc + free, fastest / median | arena MiB at the end | arena / most bytes in use |',
);
console.log('|---|---|---|---|');
for (const [name, fn, n] of [
  ['single-row commits', singleRowCommits, 200_000],
  ['random churn, 64 B .. 64 KiB', randomChurn, 1_000_000],
  ['drifting churn', (n: number) => randomChurn(n, true), 1_000_000],
] as const) {
  fn(n / 10); // warm-up
  const runs = Array.from({ length: 7 }, () => fn(n));
  const { arenaBytes, peakUsed } = runs[0]!;
  const ns = runs.map((r) => r.ns);
  const ratio = peakUsed === undefined ? '' : (arenaBytes / peakUsed).toFixed(2);
  console.log(
    `| ${name} | ${Math.min(...ns).toFixed(1)} / ${median(ns).toFixed(1)} | ${(arenaBytes / 2 ** 20).toFixed(0)} | ${ratio} |`,
  );
}
