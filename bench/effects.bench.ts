// Effect-batch benchmarks (issue 4): what recording effects costs store.write, and applying
// batches of 1,000 single-column updates with and without preconditions and increments.
// Run: npm run bench:effects   (ACS_BENCH_ROWS narrows it down)
import { Bench } from 'tinybench';
import {
  type Batch,
  batch,
  decodeBatch,
  encodeBatch,
  float64,
  int32,
  int64,
  Store,
  schema,
  table,
} from '../src/index.js';

const ROWS = Number(process.env.ACS_BENCH_ROWS ?? 1_000_000);
const CLUSTER = 4096;

const s = schema([
  table('t', { id: int32(), c1: int32(), c2: int64(), c3: float64(), n: int32() }, { key: 'id' }),
]);

function load(recordEffects: boolean): Store {
  const store = Store.create(s, { recordEffects, maxBytes: 8 * 2 ** 30 });
  for (let from = 0; from < ROWS; from += 10_000) {
    store.write((tx) => {
      for (let i = from; i < from + 10_000; i++) tx.insert('t', { id: i, c1: i, c2: i, c3: i / 3, n: 0 });
    });
  }
  return store;
}

let seed = 12345;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
};
const uniform = () => rand(ROWS);
const clustered = () => ROWS - 1 - rand(CLUSTER);

const recorded = load(true);
const plain = load(false);
let v = 0;
const bench = new Bench({ time: 1000, warmupTime: 200 });
for (const [name, store] of [
  ['recorded', recorded],
  ['not recorded', plain],
] as const) {
  bench
    .add(`${name}: tx of 1, uniform`, () => {
      store.write((tx) => tx.update('t', uniform(), { c1: v++ }));
    })
    .add(`${name}: tx of 1000, uniform`, () => {
      store.write((tx) => {
        for (let i = 0; i < 1000; i++) tx.update('t', uniform(), { c1: v++ });
      });
    })
    .add(`${name}: tx of 1000, clustered`, () => {
      store.write((tx) => {
        for (let i = 0; i < 1000; i++) tx.update('t', clustered(), { c1: v++ });
      });
    });
}
const updates = (): Batch => {
  const b = batch();
  for (let i = 0; i < 1000; i++) b.update('t', clustered(), { c1: v++ });
  return b.build();
};
const increments = (guard: boolean): Batch => {
  const b = batch();
  for (let i = 0; i < 1000; i++) {
    const key = clustered();
    if (guard) b.require('t', key, { column: 'id', equals: key });
    b.increment('t', key, 'n', 1);
  }
  return b.build();
};
bench
  .add('apply a built batch of 1 update', () => {
    recorded.apply(batch().update('t', uniform(), { c1: v++ }).build());
  })
  .add('apply a built batch of 1000 updates (clustered)', () => {
    recorded.apply(updates());
  })
  .add('apply a built batch of 1000 increments (clustered)', () => {
    recorded.apply(increments(false));
  })
  .add('apply a built batch of 1000 increments, each with a precondition (clustered)', () => {
    recorded.apply(increments(true));
  });

const one = batch().update('t', 123_456, { c1: 42 }).build();
const thousand = updates();
const oneBytes = encodeBatch(one, 1);
const thousandBytes = encodeBatch(thousand, 1);
bench
  .add('encode a batch of 1 update', () => {
    encodeBatch(one, 1);
  })
  .add('encode a batch of 1000 updates', () => {
    encodeBatch(thousand, 1);
  })
  .add('decode a batch of 1 update', () => {
    decodeBatch(oneBytes);
  })
  .add('decode a batch of 1000 updates', () => {
    decodeBatch(thousandBytes);
  });
await bench.run();

const p50 = (name: string) => {
  const r = bench.getTask(name)!.result;
  if (r === undefined || !('latency' in r)) throw new Error(`${name} did not run`);
  return r.latency.p50!;
};
const rate = (ops: number, ms: number) => Math.round((ops * 1000) / ms).toLocaleString('en-US');
console.log(
  `\nEffect batches, ${ROWS.toLocaleString('en-US')} rows, row groups of 4,096, Node ${process.version}, medians\n`,
);
console.log('| write | recorded (ops/s) | not recorded (ops/s) | recorded / not |');
console.log('|---|---|---|---|');
for (const [label, ops] of [
  ['tx of 1, uniform', 1],
  ['tx of 1000, uniform', 1000],
  ['tx of 1000, clustered', 1000],
] as const) {
  const a = p50(`recorded: ${label}`);
  const b = p50(`not recorded: ${label}`);
  console.log(`| ${label} | ${rate(ops, a)} | ${rate(ops, b)} | ${(b / a).toFixed(2)} |`);
}
console.log(
  '\n| applying a batch built with batch() | ops/s (an increment with its precondition counts as one) |',
);
console.log('|---|---|');
console.log(`| 1 update | ${rate(1, p50('apply a built batch of 1 update'))} |`);
console.log(`| 1,000 updates | ${rate(1000, p50('apply a built batch of 1000 updates (clustered)'))} |`);
console.log(
  `| 1,000 increments | ${rate(1000, p50('apply a built batch of 1000 increments (clustered)'))} |`,
);
console.log(
  `| 1,000 increments, each with a precondition | ${rate(1000, p50('apply a built batch of 1000 increments, each with a precondition (clustered)'))} |`,
);
console.log('\n| FlatBuffers | batch of 1 | batch of 1,000 |');
console.log('|---|---|---|');
console.log(`| bytes per op | ${oneBytes.length} | ${(thousandBytes.length / 1000).toFixed(1)} |`);
console.log(
  `| encode, ops/s | ${rate(1, p50('encode a batch of 1 update'))} | ${rate(1000, p50('encode a batch of 1000 updates'))} |`,
);
console.log(
  `| decode, ops/s | ${rate(1, p50('decode a batch of 1 update'))} | ${rate(1000, p50('decode a batch of 1000 updates'))} |`,
);
recorded.close();
plain.close();
