// Storage-core benchmarks (issue 2): pin+release, single-column updates, a full scan, rebuilding
// the Arrow view after a one-row change, and arena bytes per row, for several row-group sizes.
// Run: npm run bench   (ACS_BENCH_ROWS and ACS_BENCH_GROUPS=1024,4096 narrow it down)
import { Bench } from 'tinybench';
import {
  bool,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  Store,
  schema,
  table,
  timestamp,
  uint8,
  uint32,
} from '../src/index.js';

const ROWS = Number(process.env.ACS_BENCH_ROWS ?? 1_000_000);
const GROUP_SIZES = (process.env.ACS_BENCH_GROUPS ?? '1024,4096,16384').split(',').map(Number);
const CLUSTER = 4096; // "recent rows": keys drawn from the newest 4,096 rows

const cluster = schema([
  table(
    't',
    {
      id: int32(),
      c1: int32(),
      c2: int64(),
      c3: float64(),
      c4: float32(),
      c5: bool(),
      c6: int16(),
      c7: uint8(),
      c8: uint32(),
      c9: timestamp(),
      c10: float64({ nullable: true }),
      c11: int8(),
    },
    { key: 'id' },
  ),
]);

function load(rowGroupSize: number): Store {
  const store = Store.create(cluster, { rowGroupSize, maxBytes: 8 * 2 ** 30 });
  const batch = 10_000;
  for (let from = 0; from < ROWS; from += batch) {
    store.write((tx) => {
      for (let i = from; i < Math.min(ROWS, from + batch); i++) {
        tx.insert('t', {
          id: i,
          c1: i,
          c2: i,
          c3: i / 3,
          c4: i / 7,
          c5: (i & 1) === 0,
          c6: i & 0x7fff,
          c7: i & 0xff,
          c8: i,
          c9: 1_700_000_000_000 + i,
          c10: i % 10 === 0 ? null : i,
          c11: i & 0x7f,
        });
      }
    });
  }
  return store;
}

let seed = 12345;
function rand(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
}
const uniformKey = () => rand(ROWS);
const clusteredKey = () => ROWS - 1 - rand(CLUSTER);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

const readVersion = (s: { version: number }) => s.version;

interface Row {
  groupSize: number;
  pinNs: number;
  snapshotNs: number;
  upd1Uniform: number;
  upd1Clustered: number;
  upd1000Uniform: number;
  upd1000Clustered: number;
  scanRowsPerS: number;
  tableRebuildMs: number;
  tableColdMs: number;
  bytesPerRow: number;
  arenaBytesPerRow: number;
}

async function measure(groupSize: number): Promise<Row> {
  const store = load(groupSize);
  store.reclaim();
  const loaded = store.stats();
  let v = 0;
  const PIN_BATCH = 1000;
  const bench = new Bench({ time: 700, warmupTime: 200 });
  bench
    .add('pin+release x1000', () => {
      for (let i = 0; i < PIN_BATCH; i++) store.read(readVersion);
    })
    .add('snapshot()+release() x1000', () => {
      for (let i = 0; i < PIN_BATCH; i++) store.snapshot().release();
    })
    .add('update tx of 1, uniform', () => {
      store.write((tx) => tx.update('t', uniformKey(), { c1: v++ }));
    })
    .add('update tx of 1, clustered', () => {
      store.write((tx) => tx.update('t', clusteredKey(), { c1: v++ }));
    })
    .add('update tx of 1000, uniform', () => {
      store.write((tx) => {
        for (let i = 0; i < 1000; i++) tx.update('t', uniformKey(), { c1: v++ });
      });
    })
    .add('update tx of 1000, clustered', () => {
      store.write((tx) => {
        for (let i = 0; i < 1000; i++) tx.update('t', clusteredKey(), { c1: v++ });
      });
    })
    .add('scan int32 column', () => {
      store.read((s) => {
        let sum = 0;
        for (const c of s.chunks('t', 'c1')) {
          const a = c.values as Int32Array;
          for (let i = 0; i < c.length; i++) sum += a[i]!;
        }
        return sum;
      });
    });
  await bench.run();
  const p50 = (name: string) => {
    const r = bench.getTask(name)!.result;
    if (r === undefined || !('latency' in r)) throw new Error(`${name} did not run`);
    return r.latency.p50!;
  };

  // snapshot.table() after a one-row change: time table() alone, its cache warm.
  const cold = store.read((s) => {
    const t0 = performance.now();
    s.table('t');
    return performance.now() - t0;
  });
  const rebuild: number[] = [];
  for (let k = 0; k < 200; k++) {
    store.write((tx) => tx.update('t', uniformKey(), { c1: k }));
    const snap = store.snapshot();
    const t0 = performance.now();
    const t = snap.table('t');
    rebuild.push(performance.now() - t0);
    if (t.numRows !== ROWS) throw new Error('view lost rows');
    snap.release();
  }
  store.close();
  return {
    groupSize,
    pinNs: (p50('pin+release x1000') / PIN_BATCH) * 1e6,
    snapshotNs: (p50('snapshot()+release() x1000') / PIN_BATCH) * 1e6,
    upd1Uniform: 1000 / p50('update tx of 1, uniform'),
    upd1Clustered: 1000 / p50('update tx of 1, clustered'),
    upd1000Uniform: (1000 * 1000) / p50('update tx of 1000, uniform'),
    upd1000Clustered: (1000 * 1000) / p50('update tx of 1000, clustered'),
    scanRowsPerS: (ROWS * 1000) / p50('scan int32 column'),
    tableRebuildMs: median(rebuild),
    tableColdMs: cold,
    bytesPerRow: loaded.usedBytes / ROWS,
    arenaBytesPerRow: loaded.arenaBytes / ROWS,
  };
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits });
const rows: Row[] = [];
for (const g of GROUP_SIZES) {
  rows.push(await measure(g));
  console.error(`row group ${g} done`);
}
console.log(`\nStorage core, ${fmt(ROWS)} rows x 12 fixed-width columns, Node ${process.version}, medians\n`);
console.log(
  '| row group | pin+release (read) | snapshot()+release() | upd/s tx1 uniform | upd/s tx1 clustered | upd/s tx1000 uniform | upd/s tx1000 clustered | scan int32 rows/s | table() after 1-row change | table() cold | bytes/row used | bytes/row arena |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.groupSize} | ${fmt(r.pinNs)} ns | ${fmt(r.snapshotNs)} ns | ${fmt(r.upd1Uniform)} | ${fmt(r.upd1Clustered)} | ${fmt(r.upd1000Uniform)} | ${fmt(r.upd1000Clustered)} | ${fmt(r.scanRowsPerS / 1e6)} M | ${fmt(r.tableRebuildMs, 3)} ms | ${fmt(r.tableColdMs, 1)} ms | ${fmt(r.bytesPerRow, 1)} | ${fmt(r.arenaBytesPerRow, 1)} |`,
  );
}
