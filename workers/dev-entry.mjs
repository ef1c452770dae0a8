// Development entry of worker threads: Node 20 cannot start a worker from a .ts file, so this
// registers tsx inside the worker and imports the TypeScript module named by the last argv entry.
// The module's default export is passed on, for piscina, which takes a worker's handler from it.
import { register } from 'tsx/esm/api';

register();
const loaded = await import(process.argv[process.argv.length - 1]);
export default loaded.default;
