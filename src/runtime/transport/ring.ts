import { StateError } from '../../errors.js';

/*
 * A single-producer single-consumer byte ring in a SharedArrayBuffer, for variable-length messages
 * (encoded batches) from one producer thread to the writer thread.
 *
 * Layout. Three Int32 control words, each on its own 64-byte line so that the producer's and the
 * consumer's stores do not fight over one cache line, then the data area:
 *
 *   HEAD     bytes ever written, mod 2^32: stored by the producer only
 *   TAIL     bytes ever released, mod 2^32: stored by the consumer only
 *   WAITING  1 while the producer waits for space (set and cleared by the producer)
 *
 * A frame is an Int32 payload length, 4 reserved bytes, the payload, and padding to 8 bytes, so
 * every frame and every payload starts 8-aligned. `capacity` is a power of two; frame positions are
 * logical byte counts and a frame at logical position p starts at physical offset p & (capacity - 1).
 *
 * Split-free layout: the data area is `capacity` bytes plus a spill of the largest frame, and a
 * frame that starts near the end of the ring runs on into the spill instead of wrapping. No skip
 * markers, no copies on the consumer side: every frame is one contiguous view. The accounting stays
 * logical (a frame of s bytes at p occupies [p, p + s) of the window [tail, tail + capacity)), and
 * that is enough: two frames alive at once lie in one window of `capacity` logical bytes, so their
 * physical ranges (start & mask, plus the length) cannot overlap. Either they start in the same lap
 * (same subtracted multiple of capacity, disjoint logical ranges) or the later starts one lap on, and
 * then overlapping bytes would be exactly `capacity` logical bytes apart, more than the window holds.
 * The price is memory: capacity + maxFrameBytes + 8 bytes of data.
 *
 * Counters are Int32 and wrap: the fill level is `(head - tail) >>> 0`, exact while it is at most
 * capacity <= 2^30.
 */

const LINE = 16; // Int32 words per 64-byte line
const HEAD = 0;
const TAIL = LINE;
const WAITING = 2 * LINE;
/** Bytes before the data area. */
const HEADER_BYTES = 3 * 64;
/** Bytes of a frame's header: Int32 length + 4 reserved. */
const FRAME_HEADER = 8;
const MAX_CAPACITY = 2 ** 30;

type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };
/** Atomics.waitAsync (Node >= 16; TypeScript's lib lists it from ES2024 only). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
  }
).waitAsync;

/** Everything a thread needs to open one end of a ring. Structured-clonable: post it to a worker. */
export interface RingHandle {
  readonly buffer: SharedArrayBuffer;
  /** Ring size in bytes: a power of two. */
  readonly capacity: number;
  /** The largest payload a frame may carry, in bytes. */
  readonly maxFrameBytes: number;
  /** The consumer's doorbell (see {@link createDoorbell}), or null when the consumer polls. */
  readonly doorbell: Int32Array | null;
}

/** Options of {@link createRing}. */
export interface RingOptions {
  /** Ring size in bytes: a power of two from 64 to 2^30. */
  capacity: number;
  /** The largest payload; at most capacity - 8 (the default). Sets the size of the spill area. */
  maxFrameBytes?: number;
  /** A doorbell shared by every ring of one consumer, so that it sleeps on one word. */
  doorbell?: Int32Array | null;
}

/** Bytes a frame with an `n`-byte payload occupies. */
function frameSize(n: number): number {
  return FRAME_HEADER + ((n + 7) & ~7);
}

/** Creates a ring; open its ends with `new RingWriter(handle)` and `new RingReader(handle)`. */
export function createRing(options: RingOptions): RingHandle {
  const { capacity } = options;
  if (
    !Number.isInteger(capacity) ||
    capacity < 64 ||
    capacity > MAX_CAPACITY ||
    (capacity & (capacity - 1)) !== 0
  ) {
    throw new StateError(
      'INVALID_OPTION',
      `ring capacity must be a power of two from 64 to 2^30, not ${capacity}`,
    );
  }
  const maxFrameBytes = options.maxFrameBytes ?? capacity - FRAME_HEADER;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || frameSize(maxFrameBytes) > capacity) {
    throw new StateError(
      'INVALID_OPTION',
      `maxFrameBytes must be an integer from 0 to capacity - 8 = ${capacity - FRAME_HEADER}, not ${maxFrameBytes}`,
    );
  }
  const buffer = new SharedArrayBuffer(HEADER_BYTES + capacity + frameSize(maxFrameBytes));
  return { buffer, capacity, maxFrameBytes, doorbell: options.doorbell ?? null };
}

/**
 * A doorbell: one Int32 word that producers bump after writing into an empty ring, so that one
 * consumer can sleep on many rings. The consumer loads the word before it looks at its rings and
 * sleeps with {@link waitDoorbell} on the value it loaded.
 */
export function createDoorbell(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(64), 0, 1);
}

/**
 * Resolves once the doorbell no longer reads `seen` (at once if it already differs), or after
 * `timeoutMs`. Never blocks the thread: it uses Atomics.waitAsync, so the consumer's event loop keeps
 * serving other messages while it sleeps. A pending waitAsync does not keep the event loop alive.
 */
export function waitDoorbell(
  bell: Int32Array,
  seen: number,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  const r = waitAsync(bell, 0, seen, timeoutMs);
  return r.async ? r.value.then(() => undefined) : Promise.resolve();
}

function checkHandle(handle: RingHandle): Int32Array {
  if (
    handle === null ||
    typeof handle !== 'object' ||
    !(handle.buffer instanceof SharedArrayBuffer) ||
    handle.buffer.byteLength !== HEADER_BYTES + handle.capacity + frameSize(handle.maxFrameBytes)
  ) {
    throw new StateError('INVALID_HANDLE', 'not a ring handle made by createRing');
  }
  return new Int32Array(handle.buffer);
}

interface PendingWrite {
  bytes: Uint8Array;
  resolve: () => void;
}

/** The producer's end of a ring. Exactly one thread may write to a ring. */
export class RingWriter {
  /** The largest payload {@link write} accepts, in bytes. */
  readonly maxFrameBytes: number;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #bell: Int32Array | null;
  /** Our copy of HEAD: we are its only writer, so it is always current. */
  #head: number;
  /** The last TAIL we loaded: stale means "less space than there is", never more, so it is safe. */
  #tail: number;
  /** Writes waiting for space, in order; a new write queues behind them so order is kept. */
  readonly #queue: PendingWrite[] = [];
  #queueStart = 0;
  #closed = false;

  constructor(handle: RingHandle) {
    this.#i32 = checkHandle(handle);
    this.#u8 = new Uint8Array(handle.buffer);
    this.#capacity = handle.capacity;
    this.#mask = handle.capacity - 1;
    this.maxFrameBytes = handle.maxFrameBytes;
    this.#bell = handle.doorbell;
    this.#head = Atomics.load(this.#i32, HEAD);
    this.#tail = Atomics.load(this.#i32, TAIL);
  }

  /**
   * Copies `bytes` into the ring as one frame if there is space now. Returns false when the ring is
   * full (or earlier writes still wait for space): nothing was written, try again or use
   * {@link write}. Throws BATCH_TOO_LARGE for a payload above {@link maxFrameBytes}.
   */
  tryWrite(bytes: Uint8Array): boolean {
    this.#checkSize(bytes);
    if (this.#queue.length > this.#queueStart) return false;
    return this.#put(bytes);
  }

  /**
   * Copies `bytes` into the ring as one frame, waiting for the consumer to make space if needed:
   * back-pressure, never a drop. Frames keep the order of the calls. Do not change `bytes` before the
   * promise resolves (the copy may happen later). Rejects with BATCH_TOO_LARGE, writing nothing, for
   * a payload above {@link maxFrameBytes}: a batch is never split.
   */
  write(bytes: Uint8Array): Promise<void> {
    try {
      this.#checkSize(bytes);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#queue.length === this.#queueStart && this.#put(bytes)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#queue.push({ bytes, resolve });
      if (this.#queue.length - this.#queueStart === 1) void this.#pump();
    });
  }

  /**
   * Gives up the writes still waiting for space (their promises never settle: the caller fails them
   * its own way) and stops waiting, so that nothing keeps this thread alive for a consumer that is
   * gone. Later writes are refused.
   */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#queueStart = 0;
    // Wake our own wait for space, if any, so the pump sees the empty queue and ends.
    Atomics.notify(this.#i32, TAIL);
  }

  /** Writes waiting for space. */
  get waiting(): number {
    return this.#queue.length - this.#queueStart;
  }

  #checkSize(bytes: Uint8Array): void {
    if (this.#closed) throw new StateError('STORE_CLOSED', 'this ring was closed: its consumer is gone');
    if (bytes.length > this.maxFrameBytes) {
      throw new StateError(
        'BATCH_TOO_LARGE',
        `a batch of ${bytes.length} bytes is above this ring's limit of ${this.maxFrameBytes} bytes; it is not split`,
      );
    }
  }

  #hasSpace(size: number): boolean {
    if (((this.#head - this.#tail) >>> 0) + size <= this.#capacity) return true;
    // The consumer's plain reads of the frames it released happen before its store of TAIL; our
    // load of that TAIL happens before our writes into those bytes. So we never overwrite a frame
    // the consumer may still read.
    this.#tail = Atomics.load(this.#i32, TAIL);
    return ((this.#head - this.#tail) >>> 0) + size <= this.#capacity;
  }

  #put(bytes: Uint8Array): boolean {
    const n = bytes.length;
    const size = frameSize(n);
    if (!this.#hasSpace(size)) return false;
    const head = this.#head;
    const off = HEADER_BYTES + (head & this.#mask);
    // Plain writes of the frame (the spill makes it contiguous even past the end of the ring)...
    this.#u8.set(bytes, off + FRAME_HEADER);
    this.#i32[off >> 2] = n;
    this.#i32[(off >> 2) + 1] = 0;
    const next = (head + size) | 0;
    // ...then publish it: the consumer's Atomics.load of HEAD that sees `next` also sees every plain
    // write before our store, so it never reads a frame half written.
    Atomics.store(this.#i32, HEAD, next);
    this.#head = next;
    const bell = this.#bell;
    // Ring the doorbell only if the consumer had released everything before this frame: then it may
    // have found the ring empty and be going to sleep. Otherwise its next store of TAIL comes after
    // our load below in the total order of these sequentially consistent operations, and it loads
    // HEAD after that store (read() releases, then looks), so it sees `next` without a bell. The
    // bump comes after its load of HEAD that missed us, so after its load of the bell too, and its
    // waitAsync on the old bell value returns at once or is woken by our notify.
    if (bell !== null && Atomics.load(this.#i32, TAIL) === head) {
      Atomics.add(bell, 0, 1);
      Atomics.notify(bell, 0);
    }
    return true;
  }

  async #pump(): Promise<void> {
    // A pending Atomics.waitAsync does not keep the event loop alive; a thread whose only work is
    // this write would exit with the batch unwritten. A timer holds the loop while we wait.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      const q = this.#queue;
      while (q.length > this.#queueStart) {
        const w = q[this.#queueStart]!;
        if (this.#put(w.bytes)) {
          q[this.#queueStart++] = undefined as unknown as PendingWrite;
          w.resolve();
          continue;
        }
        await this.#waitForSpace(frameSize(w.bytes.length));
      }
      q.length = 0;
      this.#queueStart = 0;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Sleeps until the consumer moves TAIL. Dekker-style with the consumer's release(): we store
   * WAITING = 1 and then load TAIL; it stores TAIL and then loads WAITING. In the total order one of
   * the two loads comes second and sees the other's store: either we see the new TAIL (and do not
   * sleep), or it sees WAITING = 1 and notifies. And waitAsync checks TAIL against the value we
   * loaded atomically with joining the wait list, so a store between our load and the wait makes it
   * return 'not-equal' instead of sleeping through the notify.
   */
  async #waitForSpace(size: number): Promise<void> {
    const i32 = this.#i32;
    Atomics.store(i32, WAITING, 1);
    const tail = Atomics.load(i32, TAIL);
    this.#tail = tail;
    if (((this.#head - tail) >>> 0) + size > this.#capacity) {
      const r = waitAsync(i32, TAIL, tail);
      if (r.async) await r.value;
    }
    Atomics.store(i32, WAITING, 0);
  }
}

/**
 * The consumer's end of a ring. Exactly one thread may read a ring.
 *
 * {@link read} returns a view into the ring itself, not a copy: valid until the next read() or
 * release(), after which the producer may overwrite it. Zero-copy because the consumer (the writer)
 * decodes and applies a batch straight from the bytes and is done with them before it reads the
 * next; a 1,000-update batch is tens of KiB that a copy would move for nothing. A consumer that
 * keeps the bytes (a WAL buffer) copies them with `slice()`.
 */
export class RingReader {
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #mask: number;
  /** Our copy of TAIL: we are its only writer. */
  #tail: number;
  /** The last HEAD we loaded: stale means "fewer frames than there are", never more. */
  #head: number;
  /** Size of the frame the last read() returned, 0 when it was released. */
  #held = 0;

  constructor(handle: RingHandle) {
    this.#i32 = checkHandle(handle);
    this.#u8 = new Uint8Array(handle.buffer);
    this.#mask = handle.capacity - 1;
    this.#tail = Atomics.load(this.#i32, TAIL);
    this.#head = Atomics.load(this.#i32, HEAD);
  }

  /**
   * Releases the frame the last read returned, then returns a view of the next frame's payload, or
   * null when the ring is empty. The view aliases the ring: do not keep it past the next read() or
   * release().
   */
  read(): Uint8Array | null {
    if (this.#held !== 0) this.release();
    const tail = this.#tail;
    if (this.#head === tail) {
      // Our load of HEAD happens after our release's store of TAIL (program order, both SC): the
      // producer's doorbell test relies on it (see RingWriter#put).
      this.#head = Atomics.load(this.#i32, HEAD);
      if (this.#head === tail) return null;
    }
    const off = HEADER_BYTES + (tail & this.#mask);
    // Plain reads are safe: the Atomics.load of HEAD that showed this frame saw the producer's store
    // that published it, which came after the producer's plain writes of the frame.
    const n = this.#i32[off >> 2]!;
    this.#held = frameSize(n);
    return this.#u8.subarray(off + FRAME_HEADER, off + FRAME_HEADER + n);
  }

  /** Gives the last frame read back to the producer (read() does it too). */
  release(): void {
    if (this.#held === 0) return;
    this.#tail = (this.#tail + this.#held) | 0;
    this.#held = 0;
    // Our plain reads of the frame come before this store; the producer overwrites the frame only
    // after its load of TAIL sees this value.
    Atomics.store(this.#i32, TAIL, this.#tail);
    // See RingWriter#waitForSpace: store TAIL, then load WAITING.
    if (Atomics.load(this.#i32, WAITING) !== 0) Atomics.notify(this.#i32, TAIL);
  }
}
