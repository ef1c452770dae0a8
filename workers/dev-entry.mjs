// Development entry of worker threads: Node 20 cannot start a worker from a .ts file, so this
// registers tsx inside the worker and imports the TypeScript module named by the last argv entry.
import { register } from 'tsx/esm/api';

register();
// The loader resolves modules on its own thread; while this thread only waits for it, nothing of
// its own keeps its event loop alive, and under load Node ended such workers with exit code 13
// (unsettled top-level await). A timer holds the loop open until the module has loaded.
const keepAlive = setInterval(() => {}, 1 << 30);
try {
  await import(process.argv[process.argv.length - 1]);
} finally {
  clearInterval(keepAlive);
}
