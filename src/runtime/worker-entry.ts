import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where to start a worker: the file, and the argv that tells a development entry what to load. */
export interface WorkerEntry {
  /** The file to pass to `new Worker(...)` (or to piscina's `filename`). */
  readonly filename: URL;
  /** Extra argv for the worker: set when `filename` is the development entry. */
  readonly argv: string[];
}

const DEV_ENTRY = new URL('../../workers/dev-entry.mjs', import.meta.url);

/**
 * Resolves a worker module for `new Worker`. A built `.js` file is used as it is. A TypeScript
 * source (tests, `tsx` runs) cannot be a worker's entry under Node 20, so it is started through
 * `workers/dev-entry.mjs`, which registers tsx in the worker and then imports the source.
 *
 * @param module URL of the worker module, `.js` or `.ts`; a `.js` URL whose file does not exist
 *   falls back to the `.ts` beside it.
 */
export function resolveWorker(module: URL): WorkerEntry {
  let target = module;
  if (target.pathname.endsWith('.js') && !existsSync(fileURLToPath(target))) {
    target = new URL(target.href.replace(/\.js$/, '.ts'));
  }
  if (!target.pathname.endsWith('.ts')) return { filename: target, argv: [] };
  return { filename: DEV_ENTRY, argv: [target.href] };
}
