import {
  type Control,
  DROOT_INDEX,
  DURABLE_INDEX,
  W_DROOT_SEQ,
  W_DURABLE,
  W_DURABLE_WAITERS,
  W_NOTIFY,
  W_WAITERS,
  W_WRITTEN,
  W_WRITTEN_WAITERS,
  WRITTEN_INDEX,
} from './control.js';

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

/** A 64-bit counter in a control block and the Int32 word its thread stores its low bits in. */
export interface CounterWords {
  /** Index into `ctl.i64` of the counter. */
  readonly counter: number;
  /** Index into `ctl.i32` of the notify word: the counter's low 32 bits, stored after it. */
  readonly notify: number;
  /**
   * Index into `ctl.i32` of the count of threads waiting on the notify word, or -1 when the
   * counting thread notifies on every store and keeps no count.
   */
  readonly waiters: number;
}

/** The published version and its notify word (see Writer#publish). */
export const VERSION_WORDS = (ctl: Control): CounterWords => ({
  counter: ctl.versionIndex,
  notify: W_NOTIFY,
  waiters: W_WAITERS,
});

/**
 * Resolves with the newest version once it is above `after`, without blocking the event loop: the
 * thread sleeps in `Atomics.waitAsync` on the notify word until the writer publishes. Resolves
 * with the current version (maybe still `after`) when `timeoutMs` passes or `signal` aborts.
 */
export function waitForVersion(
  ctl: Control,
  after: number,
  timeoutMs = Number.POSITIVE_INFINITY,
  signal?: AbortSignal,
): Promise<number> {
  return waitAbove(ctl, VERSION_WORDS(ctl), after, timeoutMs, signal);
}

/** A counter's current value. */
export function currentCounter(ctl: Control, words: CounterWords): number {
  return Number(Atomics.load(ctl.i64, words.counter));
}

/** Stores a new value of a counter and wakes its waiters (the counting side of {@link waitAbove}). */
export function storeCounter(ctl: Control, words: CounterWords, value: number): void {
  Atomics.store(ctl.i64, words.counter, BigInt(value));
  Atomics.store(ctl.i32, words.notify, value | 0);
  if (words.waiters < 0 || Atomics.load(ctl.i32, words.waiters) > 0) Atomics.notify(ctl.i32, words.notify);
}

/**
 * Resolves with a counter's value once it is above `after` (see {@link waitForVersion}); with its
 * current value when `timeoutMs` passes or `signal` aborts first.
 *
 * The protocol with the counting thread (see storeCounter), step by step:
 * 1. count ourselves in the waiters word first, so that a store from now on notifies;
 * 2. read the notify word `n`, then the counter: if it is already above `after`, done;
 * 3. wait while the notify word still equals `n`. A store between 2 and 3 changed the word, so
 *    the wait returns at once ("not-equal"); a store after 3 sees our count (its load of the
 *    count follows its store of the word, ours precedes our wait) and notifies.
 * The word holds only the low 32 bits, so after 2^32 stores without a wake-up it could match again:
 * each wait is bounded by a second, and the counter is checked on each round.
 */
export async function waitAbove(
  ctl: Control,
  words: CounterWords,
  after: number,
  timeoutMs = Number.POSITIVE_INFINITY,
  signal?: AbortSignal,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  if (words.waiters >= 0) Atomics.add(ctl.i32, words.waiters, 1);
  // Atomics.waitAsync alone does not keep the event loop alive: a thread whose only task is to
  // wait would exit. The timer keeps it alive while we wait.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    for (;;) {
      const n = Atomics.load(ctl.i32, words.notify);
      const v = Number(Atomics.load(ctl.i64, words.counter));
      if (v > after || signal?.aborted) return v;
      const left = deadline - performance.now();
      if (left <= 0) return v;
      const wait = atomics.waitAsync(ctl.i32, words.notify, n, Math.min(left, 1000));
      if (wait.async) {
        if (signal === undefined) await wait.value;
        else await abortable(wait.value, signal);
      }
    }
  } finally {
    clearInterval(keepAlive);
    if (words.waiters >= 0) Atomics.sub(ctl.i32, words.waiters, 1);
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

/** The log's written version (see `W_WRITTEN`): the persistence worker waits on it. */
export const WRITTEN_WORDS: CounterWords = {
  counter: WRITTEN_INDEX,
  notify: W_WRITTEN,
  waiters: W_WRITTEN_WAITERS,
};

/** The durable version (see `W_DURABLE`): durable submits wait on it. */
export const DURABLE_WORDS: CounterWords = {
  counter: DURABLE_INDEX,
  notify: W_DURABLE,
  waiters: W_DURABLE_WAITERS,
};

/**
 * The durable root's version (W_DROOT_*) and its sequence word. The durable word moves first and
 * the writer publishes the root on its next wake-up, so a thread that saw version V durable and
 * wants to read V through the root waits on these (`waitAbove(ctl, DURABLE_ROOT_WORDS, V - 1, ...)`).
 * The sequence word changes with every publish, and the writer notifies it after each one
 * (DurableRoot#publish), so no waiter count is kept: the protocol of {@link waitAbove} holds with
 * the sequence word as its notify word.
 */
export const DURABLE_ROOT_WORDS: CounterWords = {
  counter: DROOT_INDEX,
  notify: W_DROOT_SEQ,
  waiters: -1,
};
