// One cold recovery, for bench/recovery.bench.ts: opens the persistence folder given as argument
// (a copy the benchmark made) in a fresh process, and prints the runtime's recovery report as JSON
// with the time from calling StateRuntime.start to a running runtime.
import type * as Library from '../../src/index.js';

// The library's entry: the sources by default, or the built package (dist/src/index.js) when
// given, whose worker threads then load plain JavaScript, as a user's do.
const [folder, entry] = process.argv.slice(2) as [string, string | undefined];
const { clusterSchema, StateRuntime } = (await import(entry ?? '../../src/index.js')) as typeof Library;
const t0 = performance.now();
const rt = await StateRuntime.start(clusterSchema, {
  persistPath: folder,
  readers: 0,
  maxBytes: 16 * 2 ** 30,
});
const ms = performance.now() - t0;
const r = rt.recovery!;
process.stdout.write(
  `${JSON.stringify({ ms, loadMs: r.loadMs, replayMs: r.replayMs, replayed: r.replayed })}\n`,
);
// No close: it would write a checkpoint, which is not what is measured; the folder is thrown away.
process.exit(0);
