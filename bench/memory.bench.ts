// The machine's floor for point lookups: what one random read of shared memory costs when it must
// wait for the one before (a dependent miss: a hash slot, then the bytes it points to) and when
// several are independent (the cells of one row, in different chunks). Lookup targets are judged
// against these: a lookup by key at 1M rows makes about three dependent misses and touches seven or
// more cache lines. A single-row write is judged against the cost of copying a chunk from a random
// row group of a table of a given size (the last table). Run: npx tsx bench/memory.bench.ts
const MB = 1 << 20;
const STEPS = 2_000_000;
const LINE_INTS = 16; // Int32s per 64-byte cache line

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

/** A SharedArrayBuffer of `bytes` whose cache lines form one random cycle (line i holds the next). */
function cycle(bytes: number, rand: () => number): Int32Array {
  const a = new Int32Array(new SharedArrayBuffer(bytes));
  const lines = a.length / LINE_INTS;
  const order = Int32Array.from({ length: lines }, (_, i) => i);
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  for (let i = 0; i < lines; i++) a[order[i]! * LINE_INTS] = order[(i + 1) % lines]! * LINE_INTS;
  return a;
}

/** ns per load of a pointer chase: each address comes from the previous load. */
function dependent(a: Int32Array): number {
  let p = 0;
  for (let i = 0; i < STEPS / 4; i++) p = a[p]!;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) p = a[p]!;
  const ns = ((performance.now() - t0) * 1e6) / STEPS;
  if (p < 0) throw new Error('unreachable');
  return ns;
}

/** ns per iteration that reads `k` random lines whose addresses are known in advance. */
function independent(a: Int32Array, k: number, rand: () => number): number {
  const lines = a.length / LINE_INTS;
  const n = Math.floor(STEPS / 4 / k);
  const idx = Int32Array.from({ length: n * k }, () => Math.floor(rand() * lines) * LINE_INTS);
  let s = 0;
  const t0 = performance.now();
  for (let i = 0; i < n * k; i += k) {
    for (let j = i; j < i + k; j++) s ^= a[idx[j]!]!;
  }
  const ns = ((performance.now() - t0) * 1e6) / n;
  if (s === 0.5) throw new Error('unreachable');
  return ns;
}

const rand = prng(1);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
console.log(`Random reads of SharedArrayBuffer memory, Node ${process.version}; medians of 3 runs\n`);
console.log('| buffer | dependent load | 1 independent line / iteration | 3 lines | 7 lines |');
console.log('|---|---|---|---|---|');
for (const mb of [1, 8, 64, 256]) {
  const a = cycle(mb * MB, rand);
  const runs = (f: () => number) => median([f(), f(), f()]);
  const cells = [dependent, ...[1, 3, 7].map((k) => (x: Int32Array) => independent(x, k, rand))].map(
    (f) => `${runs(() => f(a)).toFixed(1)} ns`,
  );
  console.log(`| ${mb} MiB | ${cells.join(' | ')} |`);
}

// The floor of a single-row write: copy-on-write copies each changed column's chunk (4 KiB for an
// int8 column, 32 KiB for a timestamp at 4,096 rows per group) from wherever its row group lives.
// In a small table that chunk is in cache; in a big one it comes from memory. The destination is a
// recently freed block, as the writer's allocator hands out.
/** ns per copy of `bytes` from a random chunk-aligned place in `region` into a hot block. */
function chunkCopy(region: Uint8Array, bytes: number): number {
  const dst = new Uint8Array(new SharedArrayBuffer(1 << 20));
  const chunks = Math.floor(region.length / bytes);
  const n = 20_000;
  const from = Int32Array.from({ length: n }, () => Math.floor(rand() * chunks) * bytes);
  for (let i = 0; i < 2_000; i++) dst.set(region.subarray(from[i]!, from[i]! + bytes), (i & 15) * bytes);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) dst.set(region.subarray(from[i]!, from[i]! + bytes), (i & 15) * bytes);
  return ((performance.now() - t0) * 1e6) / n;
}

console.log('\nCopying one chunk from a random row group (the copy-on-write of a single-row write)\n');
console.log(
  '| tables of | 4 KiB (int8 column) | 32 KiB (timestamp column) | both (a task update: status and start_time) |',
);
console.log('|---|---|---|---|');
for (const mb of [2, 32, 512]) {
  const region = new Uint8Array(new SharedArrayBuffer(mb * MB));
  region.fill(1);
  const runs = (f: () => number) => median([f(), f(), f()]);
  const small = runs(() => chunkCopy(region, 4096));
  const big = runs(() => chunkCopy(region, 32768));
  console.log(
    `| ${mb} MiB | ${small.toFixed(0)} ns | ${big.toFixed(0)} ns | ${(small + big).toFixed(0)} ns |`,
  );
}
