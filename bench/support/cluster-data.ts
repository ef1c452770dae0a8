// The rows of the cluster-schema benchmarks: realistic nodes and tasks, drawn from seeded PRNGs so
// that every run (and every store of one run) gets the same values.

/** mulberry32: a small PRNG whose low bits are as good as its high ones. */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** murmur3's finalizer, for the hex tail of task ids. */
export function mix(i: number): number {
  let h = Math.imul(i ^ (i >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export const taskId = (i: number) =>
  `task-${i.toString(36)}-${mix(i + 1)
    .toString(16)
    .padStart(8, '0')}`;
export const nodeId = (i: number) => `node-${i}`;
export const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export function randomChars(rand: (n: number) => number, alphabet: string, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += alphabet[rand(alphabet.length)];
  return s;
}
export const makeCid = (rand: (n: number) => number) => `bafy${randomChars(rand, BASE32, 50)}`;

export const TASK_TYPES = [
  'inference',
  'training',
  'fine_tune',
  'embedding',
  'tokenize',
  'transcode',
  'thumbnail',
  'ocr',
  'index_build',
  'vector_search',
  'compress',
  'decompress',
  'checksum',
  'replicate',
  'backup',
  'restore',
  'render',
  'simulate',
  'etl',
  'report',
];
// pending, assigned, running, completed, failed, cancelled: cumulative per mille
export const STATUS_CUT: [string, number][] = [
  ['pending', 100],
  ['assigned', 180],
  ['running', 330],
  ['completed', 900],
  ['failed', 970],
  ['cancelled', 1000],
];
export const ERRORS = [
  'exit status 137: out of memory',
  'timeout after 3600 s',
  'input cid not found on any provider',
  'worker lost heartbeat',
];
export const T0 = 1_767_225_600_000; // 2026-01-01

/** The cids that tasks take their inputs and results from: `size` of them, always the same. */
export function cidPool(size: number): string[] {
  const rand = prng(7);
  return Array.from({ length: size }, () => makeCid(rand));
}

export function nodeRow(i: number, rand: (n: number) => number, nodes: number) {
  const gpus = rand(4) === 0 ? 1 + rand(8) : 0;
  return {
    node_id: nodeId(i),
    peer_id: `12D3KooW${randomChars(rand, BASE32, 44)}`,
    role: i < 3 ? 'master' : i % 5 === 0 ? 'leecher' : 'worker',
    address: `10.${(i >> 8) & 255}.${i & 255}.${1 + rand(250)}:4001`,
    status: rand(20) === 0 ? 'offline' : 'online',
    last_heartbeat: T0 + rand(60_000),
    resources: {
      cpu_count: 4 << rand(5),
      cpu_usage: rand(1000) / 1000,
      memory_total: 2 ** 34,
      memory_available: 2 ** 33 + rand(2 ** 30),
      disk_total: 2 ** 40,
      disk_free: 2 ** 39,
      gpu_count: gpus,
      gpu_available: gpus > 0,
    },
    capabilities: gpus > 0 ? ['cpu', 'gpu', 'cuda'] : ['cpu'],
    peers: [nodeId(rand(nodes)), nodeId(rand(nodes)), nodeId(rand(nodes))],
    tasks_assigned: rand(8),
  };
}

/**
 * Task `i`, assigned to one of `nodes` nodes, its cids from `pool`. `bare` leaves out every string that is not a dictionary code of the row's own fixed
 * part (parameters, error_message, input_cids, result_cid), for the bytes-per-row comparison; the
 * random draws are the same either way, so both loads get the same ids and fixed values.
 */
export function taskRow(
  i: number,
  rand: (n: number) => number,
  bare: boolean,
  nodes: number,
  pool: readonly string[],
) {
  const cut = rand(1000);
  const status = STATUS_CUT.find(([, c]) => cut < c)![0];
  const submit = T0 + i * 50;
  const started = status === 'running' || status === 'completed' || status === 'failed';
  const ended = status === 'completed' || status === 'failed' || status === 'cancelled';
  const inputs: string[] = [];
  for (let k = rand(4); k > 0; k--) inputs.push(pool[rand(pool.length)]!);
  const assigned = rand(10) < 7 ? nodeId(rand(nodes)) : null;
  const parameters = `{"model":"m-${rand(64)}","batch":${8 << rand(6)},"lr":0.00${1 + rand(9)}}`;
  const result = status === 'completed' ? pool[rand(pool.length)]! : null;
  const error = status === 'failed' ? ERRORS[rand(ERRORS.length)]! : null;
  return {
    task_id: taskId(i),
    task_type: TASK_TYPES[rand(TASK_TYPES.length)]!,
    status,
    parameters: bare ? null : parameters,
    priority: rand(10),
    assigned_node_id: assigned,
    submit_time: submit,
    start_time: started ? submit + 1000 + rand(60_000) : null,
    end_time: ended ? submit + 70_000 + rand(600_000) : null,
    result_cid: bare ? null : result,
    error_message: bare ? null : error,
    resources: { cpu_cores: 1 << rand(5), gpu_cores: rand(3), memory_mb: 512 * (1 + rand(128)) },
    input_cids: bare ? [] : inputs,
  };
}
