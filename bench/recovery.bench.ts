// Recovery time (issue 10's target: under 2 s for a checkpoint of 1,000,000 tasks plus 100,000 log
// records of single-task updates, with the split between loading and replay). A child process
// loads the cluster (10,000 nodes, TASKS tasks), checkpoints, submits UPDATES durable updates and
// is killed with SIGKILL; then each run copies that folder and recovers it in a fresh process
// (bench/support/recover-child.ts), so every run is cold, as a restart after a crash is. Medians
// over RUNS. The folder's files are in the page cache (just written or copied): this measures the
// CPU side of recovery, not the disk. The children use the built package (npm run build first),
// as a user's process does, and also start on an empty folder: what starting costs without recovery.
// Run: npm run bench:recovery   (ACS_BENCH_TASKS, ACS_BENCH_UPDATES, ACS_BENCH_RUNS)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crashedFolder } from './support/crashed-folder.js';
import { fmt, log, median } from './support/report.js';

const TASKS = Number(process.env.ACS_BENCH_TASKS ?? 1_000_000);
const UPDATES = Number(process.env.ACS_BENCH_UPDATES ?? 100_000);
const RUNS = Number(process.env.ACS_BENCH_RUNS ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

log('building the package');
execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const entry = here('../dist/src/index.js');
const root = mkdtempSync(join(tmpdir(), 'acs-bench-recovery-'));
const made = join(root, 'made');
log(`child: loading ${fmt(TASKS)} tasks, checkpoint, ${fmt(UPDATES)} durable updates, then SIGKILL`);
await crashedFolder(made, TASKS, UPDATES);

interface Run {
  ms: number;
  loadMs: number;
  replayMs: number;
  replayed: number;
}
/** Opens `folder` in a fresh process and returns its report. */
function recover(folder: string): Run {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', here('./support/recover-child.ts'), folder, entry],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Run;
}
const runs: Run[] = [];
const empty: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const copy = join(root, `run-${r}`);
  cpSync(made, copy, { recursive: true });
  runs.push(recover(copy));
  rmSync(copy, { recursive: true, force: true });
  empty.push(recover(join(root, `empty-${r}`)).ms);
  const x = runs.at(-1)!;
  log(
    `run ${r + 1}: load ${fmt(x.loadMs)} ms + replay ${fmt(x.replayMs)} ms = ${fmt(x.loadMs + x.replayMs)} ms; running after ${fmt(x.ms)} ms`,
  );
}
rmSync(root, { recursive: true, force: true });

const m = (f: (x: Run) => number) => fmt(median(runs.map(f)));
console.log(
  `\nRecovery of a checkpoint of ${fmt(TASKS)} tasks + ${fmt(runs[0]!.replayed)} log records, Node ${process.version}, medians of ${RUNS} cold runs\n`,
);
console.log(
  '| load checkpoint, ms | replay log, ms | recovery (load + replay), ms | StateRuntime.start to running, ms | start on an empty folder, ms |',
);
console.log('|---|---|---|---|---|');
console.log(
  `| ${m((x) => x.loadMs)} | ${m((x) => x.replayMs)} | ${m((x) => x.loadMs + x.replayMs)} | ${m((x) => x.ms)} | ${fmt(median(empty))} |`,
);
