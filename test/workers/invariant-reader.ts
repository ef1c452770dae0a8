// A reader thread for the stress test: pins versions as fast as it can while the writer runs and
// checks, for each, the invariants that every transaction keeps.
import { parentPort, workerData } from 'node:worker_threads';
import { Store, type StoreHandle } from '../../src/index.js';

interface Input {
  handle: StoreHandle;
  stop: Int32Array;
  total: number;
}

const { handle, stop, total } = workerData as Input;
const store = await Store.attach(handle);
parentPort!.postMessage({ kind: 'ready' });

let last = 0;
let checks = 0;
let versionsSeen = 0;
const failures: string[] = [];
const fail = (msg: string) => {
  if (failures.length < 20) failures.push(msg);
};

while (Atomics.load(stop, 0) === 0 || checks === 0) {
  const snap = store.snapshot();
  const v = snap.version;
  if (v < last) fail(`version went backwards: ${last} then ${v}`);
  if (v !== last) versionsSeen++;
  last = v;
  const meta = snap.get('meta', 0);
  const rows = snap.count('accounts');
  if (meta === null) fail(`v${v}: meta row missing`);
  else {
    // The meta row is rewritten by every transaction: any mix of versions shows up here.
    if (meta.version !== BigInt(v)) fail(`v${v}: meta row says version ${meta.version}`);
    if (meta.rows !== rows) fail(`v${v}: meta says ${meta.rows} rows, table has ${rows}`);
  }
  let sum = 0;
  let seen = 0;
  for (const c of snap.chunks('accounts', 'balance')) {
    const values = c.values as Int32Array;
    for (let i = 0; i < c.length; i++) sum += values[i]!;
    seen += c.length;
  }
  if (seen !== rows) fail(`v${v}: chunks hold ${seen} rows, count is ${rows}`);
  if (sum !== total) fail(`v${v}: balances sum to ${sum}, expected ${total}`);
  let newest = 0n;
  for (const c of snap.chunks('accounts', 'touched')) {
    const values = c.values as BigInt64Array;
    for (let i = 0; i < c.length; i++) if (values[i]! > newest) newest = values[i]!;
  }
  if (newest > BigInt(v)) fail(`v${v}: a row was touched by later version ${newest}`);
  if (rows > 0) {
    const pos = (checks * 7919) % rows;
    const row = snap.getAt('accounts', pos);
    const id = row.id as number;
    if (snap.locate('accounts', id) !== pos) fail(`v${v}: key ${id} at row ${pos} is located elsewhere`);
    const byKey = snap.get('accounts', id);
    if (byKey === null || byKey.balance !== row.balance)
      fail(`v${v}: get(${id}) disagrees with getAt(${pos})`);
  }
  if (checks % 64 === 0) {
    const t = snap.table('accounts');
    if (t.numRows !== rows) fail(`v${v}: Arrow view has ${t.numRows} rows, count is ${rows}`);
  }
  snap.release();
  checks++;
}

parentPort!.postMessage({ kind: 'done', checks, versionsSeen, last, failures });
store.close();
