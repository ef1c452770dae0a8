// A reader thread of the soak test: pins versions back to back while the writer runs and checks,
// on every one, what every transaction keeps: balances sum to a constant, each node's count is
// the number of accounts on it, versions never go backwards, and the variable-length columns are
// well formed. Scans run on the raw chunk arrays; a few sampled rows go through the row API.
import { parentPort, workerData } from 'node:worker_threads';
import { type Snapshot, Store, type StoreHandle } from '../../src/index.js';

/** What the soak harness posts to each reader. */
export interface SoakReaderInput {
  handle: StoreHandle;
  /** Set to 1 by the writer when it is done. */
  stop: Int32Array;
  accounts: number;
  nodes: number;
  total: number;
  maxTags: number;
  seed: number;
}

/** What a reader posts back when stopped. */
export interface SoakReaderReport {
  kind: 'done';
  pins: number;
  versionsSeen: number;
  last: number;
  violations: number;
  failures: string[];
}

const input = workerData as SoakReaderInput;
const store = await Store.attach(input.handle);
parentPort!.postMessage({ kind: 'ready' });

let last = 0;
let current = 0;
let pins = 0;
let versionsSeen = 0;
let violations = 0;
const failures: string[] = [];
let perNode = new Int32Array(1024);
let seed = input.seed >>> 0;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed % n;
};

/** Checks one pinned version; calls `fail` for each violation. */
function check(snap: Snapshot, fail: (m: string) => void): void {
  const v = snap.version;
  if (v < last) fail(`version went backwards: ${last} then ${v}`);
  const rows = snap.count('accounts');
  if (rows !== input.accounts) fail(`accounts has ${rows} rows, not ${input.accounts}`);
  const nodeRows = snap.count('nodes');
  if (nodeRows !== input.nodes) fail(`nodes has ${nodeRows} rows, not ${input.nodes}`);

  // Balances: int64, read as two Int32 halves (no bigint per value); every one is >= 0.
  let sum = 0;
  let seen = 0;
  for (const c of snap.chunks('accounts', 'balance')) {
    const b = c.values as BigInt64Array;
    const halves = new Int32Array(b.buffer, b.byteOffset, c.length * 2);
    for (let i = 0; i < c.length; i++) {
      const hi = halves[2 * i + 1]!;
      if (hi < 0) fail(`a balance is negative: ${b[i]}`);
      sum += hi * 4294967296 + (halves[2 * i]! >>> 0);
    }
    seen += c.length;
  }
  if (seen !== rows) fail(`balance chunks hold ${seen} rows, count is ${rows}`);
  if (sum !== input.total) fail(`balances sum to ${sum}, not ${input.total}`);

  // Node counts: how many accounts hold each node code, against each node row's count.
  const codes = snap.domainSize('node');
  if (perNode.length < codes) perNode = new Int32Array(codes * 2);
  perNode.fill(0, 0, codes);
  for (const c of snap.chunks('accounts', 'node')) {
    const node = c.values as Int32Array;
    for (let i = 0; i < c.length; i++) {
      const code = node[i]!;
      if (code < 0 || code >= codes) fail(`an account holds node code ${code}, the domain has ${codes}`);
      else perNode[code]!++;
    }
  }
  const ids = snap.chunks('nodes', 'id');
  const counts = snap.chunks('nodes', 'count');
  let covered = 0;
  for (let g = 0; g < ids.length; g++) {
    const id = ids[g]!.values as Int32Array;
    const count = counts[g]!.values as Int32Array;
    for (let i = 0; i < ids[g]!.length; i++) {
      const code = id[i]!;
      if (code < 0 || code >= codes) {
        fail(`a node row holds code ${code}, the domain has ${codes}`);
        continue;
      }
      if (count[i] !== perNode[code]) {
        fail(`node ${snap.stringOf('node', code)} counts ${count[i]}, ${perNode[code]} accounts are on it`);
      }
      covered += perNode[code]!;
      perNode[code] = -1; // a second row with the same code shows up as a mismatch
    }
  }
  if (covered !== rows) fail(`${rows - covered} accounts are on nodes that have no row`);

  // Lists and strings: offsets never decrease and stay inside their data; tag codes exist.
  const tagCodes = snap.domainSize('tag');
  for (const c of snap.chunks('accounts', 'tags')) {
    const off = c.offsets!;
    const items = c.values as Int32Array;
    for (let i = 0; i < c.length; i++) {
      const n = off[i + 1]! - off[i]!;
      if (n < 0 || n > input.maxTags) fail(`a tags list has ${n} items`);
    }
    for (let k = off[0]!; k < off[c.length]!; k++) {
      const code = items[k]!;
      if (code < 0 || code >= tagCodes) fail(`a tag code ${code} is outside the domain of ${tagCodes}`);
    }
  }
  for (const c of snap.chunks('accounts', 'note')) {
    const off = c.offsets!;
    for (let i = 0; i < c.length; i++) if (off[i + 1]! < off[i]!) fail('note offsets decrease');
    if (off[c.length]! > c.values.length) fail('note offsets run past their bytes');
  }

  // A few rows through the row API: key lookups agree with positions, strings decode whole.
  for (let k = 0; k < 4 && rows > 0; k++) {
    const pos = rand(rows);
    const row = snap.getAt('accounts', pos);
    const id = row.id as string;
    if (snap.locate('accounts', id) !== pos) fail(`${id} is at row ${pos} but locates elsewhere`);
    if (snap.get('accounts', id, BALANCE)?.balance !== row.balance) fail(`get(${id}) disagrees with getAt`);
    const note = row.note as string;
    const colon = note.indexOf(':');
    if (colon < 0 || Number(note.slice(0, colon)) !== note.length - colon - 1)
      fail(`${id} has a torn note: ${JSON.stringify(note.slice(0, 40))}`);
    const tags = row.tags as string[];
    if (new Set(tags).size !== tags.length || tags.some((t) => !t.startsWith('tag-')))
      fail(`${id} has tags ${JSON.stringify(tags)}`);
    if (snap.get('nodes', row.node as string) === null)
      fail(`${id} is on node ${row.node}, which has no row`);
  }
}

const BALANCE = ['balance'] as const;
const fail = (m: string) => {
  violations++;
  if (failures.length < 20) failures.push(`v${current}: ${m}`);
};

while (Atomics.load(input.stop, 0) === 0 || pins === 0) {
  const snap = store.snapshot();
  current = snap.version;
  try {
    check(snap, fail);
  } catch (err) {
    fail(`check threw: ${(err as Error).stack}`);
  }
  if (snap.version !== last) versionsSeen++;
  last = Math.max(last, snap.version);
  snap.release();
  pins++;
}

parentPort!.postMessage({
  kind: 'done',
  pins,
  versionsSeen,
  last,
  violations,
  failures,
} satisfies SoakReaderReport);
store.close();
