// Runs the soak: the calling thread owns the store and writes; reader threads pin and check every
// version they can. Returns counts and memory samples; the test files decide what to assert.
import { StateError, Store, type Transaction } from '../../src/index.js';
import { nextMessage, startWorker } from '../support/workers.js';
import type { SoakReaderInput, SoakReaderReport } from '../workers/soak-reader.js';
import { batch, Refused, rng, type Sink, SoakModel, type SoakShape, soakSchema } from './soak-model.js';

/** How big and how long a soak is. */
export interface SoakOptions {
  transactions: number;
  shape: SoakShape;
  seed: number;
  readers: number;
  rowGroupSize: number;
  /** Store options that decide how often dictionary domains compact. */
  compactMinStrings: number;
  compactDeadFraction: number;
  /** Poison freed blocks, so a reader that reads memory it no longer pins sees garbage. */
  debug: boolean;
  /** Transactions between two samples of the arena's used bytes. */
  sampleEvery: number;
  /** Full comparisons of the store with the mirror during the run (one more at the end). */
  verifications: number;
  /** Called with a progress line this many times during the run. */
  progressLines?: number;
  progress?: (line: string) => void;
}

/** What a soak did and saw. */
export interface SoakResult {
  /** Transactions run: fewer than asked only if the writer stopped on a failure. */
  transactions: number;
  /** Transactions that published a version. */
  committed: number;
  /** Transactions refused on purpose, by what refused them. */
  refused: Record<string, number>;
  /** Compaction versions, by dictionary domain. */
  compactions: Record<string, number>;
  finalVersion: number;
  readers: SoakReaderReport[];
  /** What the writer found wrong: refused transactions that left traces, mirror differences. */
  writerFailures: string[];
  /** Used bytes, sampled every `sampleEvery` transactions. */
  samples: number[];
  /** Medians of the samples of the second and of the last quarter of the run. */
  secondQuarterBytes: number;
  lastQuarterBytes: number;
  peakBytes: number;
  finalBytes: number;
  loadMs: number;
  runMs: number;
}

const DOMAINS = ['account', 'node', 'tag'] as const;
/** Accounts per loading transaction. */
const LOAD_PART = 10_000;

/** Runs one soak. The store is closed and the reader threads have exited when it resolves. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const rand = rng(o.seed);
  const model = new SoakModel(o.shape, rand);
  const store = Store.create(soakSchema, {
    rowGroupSize: o.rowGroupSize,
    compactMinStrings: o.compactMinStrings,
    compactDeadFraction: o.compactDeadFraction,
    debug: o.debug,
  });
  for (let from = 0; from < o.shape.accounts; from += LOAD_PART) {
    store.write((tx) => model.load(tx, from, Math.min(o.shape.accounts, from + LOAD_PART)));
  }
  const loadMs = performance.now() - started;

  const stop = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: o.readers }, (_, i) =>
    startWorker(new URL('../workers/soak-reader.ts', import.meta.url), {
      handle: store.handle(),
      stop,
      accounts: o.shape.accounts,
      nodes: o.shape.nodes,
      total: model.total,
      maxTags: o.shape.maxTags,
      seed: o.seed + i + 1,
    } satisfies SoakReaderInput),
  );
  try {
    await Promise.all(workers.map((w) => nextMessage(w, (m: { kind: string }) => m.kind === 'ready')));
    const reports = workers.map((w) => nextMessage<SoakReaderReport>(w, (m) => m.kind === 'done'));
    // A reader that dies early must not leave the writer running for nothing: note it and stop.
    // (Seen only when the loop below yields to the event loop.)
    let readerDied: unknown = null;
    for (const r of reports) r.catch((err) => (readerDied ??= err));

    const writerFailures: string[] = [];
    const failWriter = (m: string) => {
      if (writerFailures.length < 50) writerFailures.push(m);
    };
    const refused: Record<string, number> = {};
    const compactions: Record<string, number> = { account: 0, node: 0, tag: 0 };
    const samples: number[] = [];
    let committed = 0;
    let sizes = domainSizes(store);
    const runStart = performance.now();
    const progressEvery = Math.max(1, Math.floor(o.transactions / (o.progressLines ?? 10)));
    const verifyEvery = Math.max(1, Math.floor(o.transactions / Math.max(1, o.verifications)));

    let ran = 0;
    for (let n = 1; n <= o.transactions && readerDied === null; n++) {
      ran = n;
      const before = store.version;
      if (rand(100) < 2) {
        refuse(store, model, rand(5), failWriter, refused);
      } else {
        let published: number;
        try {
          published = commitMixed(store, model, rand);
        } catch (err) {
          // Every operation is valid by the mirror: a failure means store and mirror disagree.
          // Stop writing, but still collect what the readers saw.
          failWriter(`transaction ${n} failed: ${(err as Error).stack}`);
          break;
        }
        if (published > before) committed++;
        const now = store.version;
        const next = domainSizes(store);
        if (now > published) {
          // Versions past the transaction's own are compactions; each shrinks its domain a lot.
          let found = 0;
          for (const d of DOMAINS) {
            if (next[d] < sizes[d]) {
              compactions[d]!++;
              found++;
            }
          }
          if (found !== now - published)
            failWriter(`v${published}: ${now - published} extra versions, ${found} domains shrank`);
        }
        sizes = next;
      }
      if (n % o.sampleEvery === 0) samples.push(store.stats().usedBytes);
      // Let the event loop run now and then: a reader's error or exit arrives there (and would
      // stop the loop), as would the closing port of a thread whose pins the owner must clear.
      if (n % 1_000 === 0) await new Promise(setImmediate);
      if (n % verifyEvery === 0 || n === o.transactions) {
        for (const m of store.read((s) => model.diff(s, null))) failWriter(`after ${n} transactions: ${m}`);
      }
      if (o.progress !== undefined && n % progressEvery === 0) {
        const s = (performance.now() - runStart) / 1000;
        o.progress(
          `${n} transactions in ${s.toFixed(1)} s (${Math.round(n / s)}/s), used ${mib(store.stats().usedBytes)}, compactions ${JSON.stringify(compactions)}`,
        );
      }
    }
    if (readerDied !== null) throw readerDied;
    const runMs = performance.now() - runStart;
    const finalVersion = store.version;
    const finalBytes = store.stats().usedBytes;
    Atomics.store(stop, 0, 1);
    const readers = await Promise.all(reports);
    const q = Math.floor(samples.length / 4);
    return {
      transactions: ran,
      committed,
      refused,
      compactions,
      finalVersion,
      readers,
      writerFailures,
      samples,
      secondQuarterBytes: median(samples.slice(q, 2 * q)),
      lastQuarterBytes: median(samples.slice(samples.length - q)),
      peakBytes: Math.max(...samples, finalBytes),
      finalBytes,
      loadMs,
      runMs,
    };
  } finally {
    Atomics.store(stop, 0, 1);
    await Promise.all(workers.map((w) => w.terminate()));
    store.close();
  }
}

/** Operations a normal transaction mixes, by weight out of 100. */
const MIX: [number, (m: SoakModel, sink: Sink, tx: Transaction | null) => void][] = [
  [35, (m, sink, tx) => m.transfer(sink, tx)],
  [15, (m, sink) => m.reassign(sink)],
  [12, (m, sink) => m.note(sink)],
  [18, (m, sink) => m.retag(sink)],
  [20, (m, sink) => m.churn(sink)],
];

/**
 * One to three mixed operations, half the time as a batch through `store.apply`, half as a
 * `store.write` callback that also reads; now and then a node drain step or a tag retirement.
 * Returns the version the transaction published.
 */
function commitMixed(store: Store, model: SoakModel, rand: (n: number) => number): number {
  const ops = 1 + rand(3);
  const picks: number[] = [];
  for (let k = 0; k < ops; k++) picks.push(rand(100));
  const rare = rand(1000);
  const run = (sink: Sink, tx: Transaction | null) => {
    for (const p of picks) {
      let acc = 0;
      for (const [weight, op] of MIX) {
        acc += weight;
        if (p < acc) {
          op(model, sink, tx);
          break;
        }
      }
    }
    if (rare < 5) model.retireTag(sink);
    else if (rare < 25) model.drain(sink, 32);
  };
  if (rand(2) === 0) {
    const b = batch();
    run(b, null);
    return store.apply(b.build());
  }
  return store.write((tx) => run(tx, tx));
}

/** What each kind of refused transaction must fail with. */
const REFUSALS = ['PRECONDITION_FAILED', 'Refused', 'DUPLICATE_KEY', 'PRECONDITION_FAILED', 'Refused'];

/** A transaction that must fail; checks that the store is exactly as it was. */
function refuse(
  store: Store,
  model: SoakModel,
  kind: number,
  fail: (m: string) => void,
  refused: Record<string, number>,
): void {
  const before = store.version;
  model.begin();
  let error: unknown = null;
  try {
    if (kind === 1) store.write((tx) => model.overdraft(tx));
    else if (kind === 4) store.write((tx) => model.regret(tx));
    else {
      const b = batch();
      if (kind === 0) model.staleTransfer(b);
      else if (kind === 2) model.duplicateOpen(b);
      else model.wrongNode(b);
      store.apply(b.build());
    }
  } catch (err) {
    error = err;
  }
  model.rollback();
  const code =
    error instanceof StateError ? error.code : error instanceof Refused ? 'Refused' : String(error);
  if (code !== REFUSALS[kind]) fail(`refusal ${kind} failed with ${code}, not ${REFUSALS[kind]}`);
  refused[code] = (refused[code] ?? 0) + 1;
  if (store.version !== before) fail(`refusal ${kind} published version ${store.version} (was ${before})`);
  store.read((s) => {
    for (const m of model.diff(s, model.touched)) fail(`after refusal ${kind}: ${m}`);
    for (const { domain, value } of model.fresh) {
      if (s.codeOf(domain, value) !== -1) fail(`after refusal ${kind}: ${domain} still knows ${value}`);
    }
  });
}

function domainSizes(store: Store): Record<(typeof DOMAINS)[number], number> {
  return store.read((s) => ({
    account: s.domainSize('account'),
    node: s.domainSize('node'),
    tag: s.domainSize('tag'),
  }));
}

// The median, not the mean: a sample taken while a descheduled reader holds an old pin counts
// every block retired since, and one such spike should not decide the comparison.
function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Bytes as MiB with one decimal, for summaries. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
