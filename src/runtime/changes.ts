import type { StateError } from '../errors.js';
import type { CommitRecord } from './feed.js';

/** Records asked for at once; more are asked for as half of them are consumed. */
const CREDIT = 256;

/**
 * The reading end of one `changes()` stream: records arrive from the writer as credit allows, wait
 * here, and are handed out by an async iterator. The writer never sends more than the credit, so
 * at most CREDIT records wait here however slow the reader is.
 */
export class ChangeStream {
  readonly credit = CREDIT;
  readonly #queue: CommitRecord[] = [];
  #head = 0;
  #consumed = 0;
  #error: StateError | null = null;
  #ended = false;
  #wake: (() => void) | null = null;
  readonly #grant: (n: number) => void;
  readonly #stop: () => void;

  /** `grant(n)` asks the writer for n more records; `stop()` ends the stream at the writer. */
  constructor(grant: (n: number) => void, stop: () => void) {
    this.#grant = grant;
    this.#stop = stop;
  }

  push(record: CommitRecord): void {
    this.#queue.push(record);
    this.#notify();
  }

  fail(error: StateError): void {
    this.#error = error;
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  async *iterate(): AsyncGenerator<CommitRecord, void, undefined> {
    try {
      for (;;) {
        if (this.#head < this.#queue.length) {
          const record = this.#queue[this.#head]!;
          this.#queue[this.#head++] = undefined as unknown as CommitRecord;
          if (this.#head === this.#queue.length) {
            this.#queue.length = 0;
            this.#head = 0;
          }
          if (++this.#consumed === CREDIT / 2) {
            this.#consumed = 0;
            this.#grant(CREDIT / 2);
          }
          yield record;
          continue;
        }
        if (this.#error !== null) throw this.#error;
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      if (this.#error === null && !this.#ended) this.#stop();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
