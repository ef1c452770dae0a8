// Development entry of worker threads: Node 20 cannot start a worker from a .ts file, so this
// registers tsx inside the worker and imports the TypeScript module named by the last argv entry.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
