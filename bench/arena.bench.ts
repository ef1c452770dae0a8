// The writer's allocator alone: what alloc + free cost on the paths a store takes. "single-row
// commits" replays what one single-row update of the core bench asks for (a 16 KiB chunk, its
// row-group block, the table directory and the root; the four blocks it replaces are freed 64
// commits later, when reclamation scans). "random churn" keeps 10,000 blocks of 64 B .. 64 KiB
// (log-uniform) alive and replaces a random one each step. Both report ns per alloc + free pair,
// medians of 7 runs, and the arena's size at the end.
// Run: npx tsx bench/arena.bench.ts
import { Arena } from '../src/memory/arena.js';
import { SegmentTable } from '../src/memory/segments.js';

const SEGMENT = 64 * 2 ** 20;

function arena(): Arena {
  return new Arena(
    new SegmentTable(null),
    { segmentBytes: SEGMENT, maxBytes: 2 ** 40, poison: false },
    () => {},
  );
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

const COMMIT_SIZES = [16_384, 336, 616, 96];
const INTERVAL = 64;

function singleRowCommits(commits: number): { ns: number; arenaBytes: number } {
  const a = arena();
  const pending: number[] = [];
  let t0 = 0;
  // The first thousand commits warm up (and take the first segment) untimed.
  for (let c = -1024; c < commits; c++) {
    if (c === 0) t0 = performance.now();
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
  const ns = ((performance.now() - t0) * 1e6) / (commits * COMMIT_SIZES.length);
  return { ns, arenaBytes: a.stats().arenaBytes };
}

function randomChurn(steps: number): { ns: number; arenaBytes: number } {
  const a = arena();
  const rand = prng(7);
  const size = () => Math.floor(64 * 2 ** (rand() * 10));
  const LIVE = 10_000;
  const refs: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < LIVE; i++) {
    sizes.push(size());
    refs.push(a.alloc(sizes[i]!));
  }
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const i = Math.floor(rand() * LIVE);
    a.free(refs[i]!, sizes[i]!);
    sizes[i] = size();
    refs[i] = a.alloc(sizes[i]!);
  }
  const ns = ((performance.now() - t0) * 1e6) / steps;
  return { ns, arenaBytes: a.stats().arenaBytes };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
console.log(`Arena alloc + free, Node ${process.version}; medians of 7 runs\n`);
console.log('| workload | ns per alloc + free | arena MiB at the end |');
console.log('|---|---|---|');
for (const [name, fn, n] of [
  ['single-row commits', singleRowCommits, 200_000],
  ['random churn, 64 B .. 64 KiB', randomChurn, 1_000_000],
] as const) {
  fn(n / 10); // warm-up
  const runs = Array.from({ length: 7 }, () => fn(n));
  const mib = runs[0]!.arenaBytes / 2 ** 20;
  console.log(`| ${name} | ${median(runs.map((r) => r.ns)).toFixed(1)} | ${mib.toFixed(0)} |`);
}
