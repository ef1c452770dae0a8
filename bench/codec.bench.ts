// Batch codec benchmark: encodeBatch and decodeBatch of batches of 1 and 1,000 effects (updates,
// inserts of a full task row, increments, preconditions) on the cluster schema's tables.
// Each sample times a loop of calls; samples of every case take turns, round after round, and the
// table gives each case's median. ACS_CODEC_BASELINE=<file of another batch-codec module> times
// that module too, sample for sample alternating with this one, and adds the ratio of medians
// (baseline / this: above 1 means this one is faster).
// Run: npm run bench:codec   (ACS_BENCH_ROUNDS: rounds, default 15; ACS_BENCH_MS: ms per sample, default 20)
import { pathToFileURL } from 'node:url';
import { type Batch, batch, decodeBatch, encodeBatch } from '../src/index.js';
import { cidPool, nodeId, prng, taskRow } from './support/cluster-data.js';

type Codec = { encodeBatch: typeof encodeBatch; decodeBatch: typeof decodeBatch };

const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 15);
const SAMPLE_MS = Number(process.env.ACS_BENCH_MS ?? 20);
const baselineFile = process.env.ACS_CODEC_BASELINE;
const codecs: [string, Codec][] = [['this', { encodeBatch, decodeBatch }]];
if (baselineFile) codecs.push(['baseline', await import(pathToFileURL(baselineFile).href)]);

const rand = prng(7);
const pool = cidPool(256);
const make = (n: number, add: (b: ReturnType<typeof batch>, i: number) => void): Batch => {
  const b = batch();
  for (let i = 0; i < n; i++) add(b, i);
  return b.build();
};
const KINDS: [string, (b: ReturnType<typeof batch>, i: number) => void][] = [
  [
    'update',
    (b, i) => b.update('nodes', i === 0 ? 'n1' : nodeId(i), { tasks_assigned: 5, status: 'online' }),
  ],
  ['insert task row', (b, i) => b.insert('tasks', taskRow(i, rand, false, 64, pool))],
  ['increment', (b, i) => b.increment('nodes', nodeId(i), 'tasks_assigned', 1)],
  ['require', (b, i) => b.require('nodes', nodeId(i), { column: 'status', equals: 'online' })],
];
const cases = KINDS.flatMap(([kind, add]) =>
  [1, 1000].map((n) => {
    const b = make(n, add);
    return { name: `${kind} x${n}`, n, batch: b, bytes: encodeBatch(b, 42) };
  }),
);

// Every codec must read what every other one writes, the same way.
for (const c of cases) {
  for (const [, w] of codecs) {
    for (const [, r] of codecs) {
      const back = JSON.stringify(r.decodeBatch(w.encodeBatch(c.batch, 42)), (_, v) =>
        typeof v === 'bigint' ? `${v}n` : v,
      );
      const want = JSON.stringify(decodeBatch(c.bytes), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
      if (back !== want) throw new Error(`${c.name}: the codecs disagree`);
    }
  }
}

let sink = 0;
/** Microseconds per call of `fn`, over a loop sized to take about SAMPLE_MS. */
function sample(fn: () => unknown, loops: number): number {
  const t = performance.now();
  for (let i = 0; i < loops; i++) sink += (fn() as { length?: number }).length ?? 1;
  return ((performance.now() - t) * 1000) / loops;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Job = { key: string; fn: () => unknown; loops: number; samples: number[] };
const jobs: Job[] = [];
for (const c of cases) {
  for (const op of ['encode', 'decode'] as const) {
    for (const [label, codec] of codecs) {
      const bytes = codec.encodeBatch(c.batch, 42);
      const fn = op === 'encode' ? () => codec.encodeBatch(c.batch, 42) : () => codec.decodeBatch(bytes);
      // Warm up, and size the loop.
      let loops = 1;
      const t = performance.now();
      while (performance.now() - t < 100) sample(fn, loops++);
      const us = sample(fn, 50);
      jobs.push({
        key: `${c.name}|${op}|${label}`,
        fn,
        loops: Math.max(1, Math.round((SAMPLE_MS * 1000) / us)),
        samples: [],
      });
    }
  }
}
for (let r = 0; r < ROUNDS; r++) for (const j of jobs) j.samples.push(sample(j.fn, j.loops));

const us = (key: string) => median(jobs.find((j) => j.key === key)!.samples);
const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const rate = (x: number) => Math.round(1e6 / x).toLocaleString('en-US');
console.log(
  `\nBatch codec, Node ${process.version}, medians of ${ROUNDS} samples of ~${SAMPLE_MS} ms each${baselineFile ? `, baseline ${baselineFile}` : ''}\n`,
);
const head = [
  'batch',
  'bytes',
  'encode us/op',
  'encode ops/s',
  'decode us/op',
  'decode ops/s',
  'us/effect enc / dec',
];
if (baselineFile) head.push('baseline encode us/op', 'baseline decode us/op', 'speedup enc / dec');
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const c of cases) {
  const enc = us(`${c.name}|encode|this`);
  const dec = us(`${c.name}|decode|this`);
  const row = [c.name, String(c.bytes.length), fmt(enc), rate(enc), fmt(dec), rate(dec)];
  row.push(`${fmt(enc / c.n)} / ${fmt(dec / c.n)}`);
  if (baselineFile) {
    const be = us(`${c.name}|encode|baseline`);
    const bd = us(`${c.name}|decode|baseline`);
    row.push(fmt(be), fmt(bd), `${(be / enc).toFixed(2)} / ${(bd / dec).toFixed(2)}`);
  }
  console.log(`| ${row.join(' | ')} |`);
}
if (sink === -1) console.log(sink);
