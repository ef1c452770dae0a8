// WAL benchmark: appends/s of 300-byte records with plain writes (one `append` per record, and
// `appendMany` of 64), and the latency of the fdatasync that makes a group of records durable
// (WalSyncer, its own descriptor), median and p99.
// The folder is ACS_WAL_DIR, or a temporary folder under os.tmpdir(): the numbers are this disk's.
// Run: npm run bench:wal   (ACS_BENCH_ROUNDS: append rounds, default 7; ACS_SYNC_SAMPLES: default 300)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalSyncer, WalWriter } from '../src/persist/wal/index.js';

const ROUNDS = Number(process.env.ACS_BENCH_ROUNDS ?? 7);
const SYNC_SAMPLES = Number(process.env.ACS_SYNC_SAMPLES ?? 300);
const RECORDS = 200_000;
const base = process.env.ACS_WAL_DIR ?? tmpdir();
const dir = mkdtempSync(join(base, 'acs-wal-bench-'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};

const record = new Uint8Array(300).fill(7);
let version = 0;
let round = 0;

/** Records per second of one round: RECORDS records into a fresh folder, in groups of `group`. */
function appendRound(group: number): number {
  const folder = join(dir, `r${round++}`);
  const wal = WalWriter.open(folder);
  const batch = Array.from({ length: group }, () => ({ version: 0, bytes: record }));
  const t = performance.now();
  if (group === 1) {
    for (let i = 0; i < RECORDS; i++) wal.append(++version, record);
  } else {
    for (let i = 0; i < RECORDS; i += group) {
      for (const r of batch) r.version = ++version;
      wal.appendMany(batch);
    }
  }
  const s = (performance.now() - t) / 1000;
  wal.close();
  rmSync(folder, { recursive: true, force: true });
  return RECORDS / s;
}

/** Milliseconds of each sync of `group` freshly appended records. */
function syncSamples(group: number): number[] {
  const folder = join(dir, `s${round++}`);
  const wal = WalWriter.open(folder, { lastVersion: version });
  const syncer = new WalSyncer(folder);
  const batch = Array.from({ length: group }, () => ({ version: 0, bytes: record }));
  const out: number[] = [];
  for (let i = 0; i < SYNC_SAMPLES; i++) {
    for (const r of batch) r.version = ++version;
    wal.appendMany(batch);
    const t = performance.now();
    syncer.syncShared(wal.shared);
    out.push(performance.now() - t);
  }
  syncer.close();
  wal.close();
  rmSync(folder, { recursive: true, force: true });
  return out;
}

try {
  const one: number[] = [];
  const many: number[] = [];
  appendRound(1); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    one.push(appendRound(1));
    many.push(appendRound(64));
  }
  console.log(`\nWAL, Node ${process.version}, folder ${base}, 300-byte records\n`);
  console.log('| case | median | min | max |');
  console.log('|---|---|---|---|');
  const k = (x: number): string => `${(x / 1000).toFixed(0)}k/s`;
  console.log(
    `| append x1 (${RECORDS} records, ${ROUNDS} rounds) | ${k(median(one))} | ${k(Math.min(...one))} | ${k(Math.max(...one))} |`,
  );
  console.log(`| appendMany x64 | ${k(median(many))} | ${k(Math.min(...many))} | ${k(Math.max(...many))} |`);
  console.log(`\n| fdatasync of a group (${SYNC_SAMPLES} samples) | median | p99 | max |`);
  console.log('|---|---|---|---|');
  for (const group of [1, 100]) {
    const ms = syncSamples(group);
    const f = (x: number): string => `${x.toFixed(3)} ms`;
    console.log(
      `| ${group} record(s) | ${f(median(ms))} | ${f(quantile(ms, 0.99))} | ${f(Math.max(...ms))} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
