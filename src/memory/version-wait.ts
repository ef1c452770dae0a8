import { type Control, W_NOTIFY, W_WAITERS } from './control.js';

/** Atomics.waitAsync (ES2024, in Node 20) until the TypeScript lib we target has it. */
interface WaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeoutMs?: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}
const atomics = Atomics as unknown as WaitAsync;

/** The newest published version, read from the control block. */
export function currentVersion(ctl: Control): number {
  return Number(Atomics.load(ctl.i64, ctl.versionIndex));
}

/**
 * Resolves with the newest version once it is above `after`, without blocking the event loop: the
 * thread sleeps in `Atomics.waitAsync` on the notify word until the writer publishes. Resolves
 * with the current version (maybe still `after`) when `timeoutMs` passes or `signal` aborts.
 *
 * The protocol with the writer (see Writer#publish), step by step:
 * 1. count ourselves in `W_WAITERS` first, so that a writer publishing from now on notifies;
 * 2. read the notify word `n`, then the version: if the version is already above `after`, done;
 * 3. wait while the notify word still equals `n`. A publish between 2 and 3 changed the word, so
 *    the wait returns at once ("not-equal"); a publish after 3 sees our count (its load of the
 *    count follows its store of the word, ours precedes our wait) and notifies.
 * The word holds only the version's low 32 bits, so after 2^32 versions without a wake-up it could
 * match again: the wait is bounded by a timer slice, and the version is checked on each round.
 */
export async function waitForVersion(
  ctl: Control,
  after: number,
  timeoutMs = Number.POSITIVE_INFINITY,
  signal?: AbortSignal,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  Atomics.add(ctl.i32, W_WAITERS, 1);
  // Atomics.waitAsync alone does not keep the event loop alive: a thread whose only task is to
  // wait for the next version would exit. The timer keeps it alive while we wait.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    for (;;) {
      const n = Atomics.load(ctl.i32, W_NOTIFY);
      const v = currentVersion(ctl);
      if (v > after || signal?.aborted) return v;
      const left = deadline - performance.now();
      if (left <= 0) return v;
      const wait = atomics.waitAsync(ctl.i32, W_NOTIFY, n, Math.min(left, 1000));
      if (wait.async) {
        if (signal === undefined) await wait.value;
        else await abortable(wait.value, signal);
      }
    }
  } finally {
    clearInterval(keepAlive);
    Atomics.sub(ctl.i32, W_WAITERS, 1);
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}
