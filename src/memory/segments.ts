import { type BroadcastChannel, receiveMessageOnPort } from 'node:worker_threads';
import { StateError } from '../errors.js';

/**
 * Every typed-array view a thread reads a segment through. All are fixed-length views of the whole
 * segment (length-tracking views are far slower), made once per segment, so point reads index one
 * view instead of building a view per chunk.
 */
export interface SegmentViews {
  readonly sab: SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly i16: Int16Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly i64: BigInt64Array;
  /** A Buffer over the segment, for decoding UTF-8 without copying. */
  readonly buf: Buffer;
  /** For unaligned reads (comparing strings four bytes at a time). */
  readonly dv: DataView;
}

/** Makes the views of one segment. Segment sizes are multiples of 64 bytes. */
export function segmentViews(sab: SharedArrayBuffer): SegmentViews {
  return {
    sab,
    u8: new Uint8Array(sab),
    i8: new Int8Array(sab),
    i16: new Int16Array(sab),
    u16: new Uint16Array(sab),
    i32: new Int32Array(sab),
    u32: new Uint32Array(sab),
    f32: new Float32Array(sab),
    f64: new Float64Array(sab),
    i64: new BigInt64Array(sab),
    buf: Buffer.from(sab),
    dv: new DataView(sab),
  };
}

/** The message that announces a new segment on a store's BroadcastChannel. */
export interface SegmentAnnouncement {
  readonly kind: 'segment';
  readonly index: number;
  readonly sab: SharedArrayBuffer;
}

/**
 * One thread's table of the arena's segments. The writer adds segments as it makes them; other
 * threads learn of them from the store's BroadcastChannel. The writer posts the announcement before
 * it publishes any version that points into the new segment, and the post enqueues the message on
 * every subscriber's port at once, so a reader that meets an unknown segment index finds the
 * message by draining its channel synchronously.
 */
export class SegmentTable {
  readonly #views: (SegmentViews | undefined)[] = [];
  #channel: BroadcastChannel | null;

  constructor(channel: BroadcastChannel | null) {
    this.#channel = channel;
  }

  /** Number of segment slots known (some may be holes until their announcement arrives). */
  get length(): number {
    return this.#views.length;
  }

  /** Records a segment; repeated announcements of the same index are ignored. */
  add(index: number, sab: SharedArrayBuffer): SegmentViews {
    const known = this.#views[index];
    if (known !== undefined) return known;
    const views = segmentViews(sab);
    this.#views[index] = views;
    return views;
  }

  /** The views of segment `index`, draining pending announcements if it is not known yet. */
  get(index: number): SegmentViews {
    const views = this.#views[index];
    if (views !== undefined) return views;
    return this.#drainFor(index);
  }

  /** Every known segment, in index order (for handles and attach replies). */
  buffers(): SharedArrayBuffer[] {
    const out: SharedArrayBuffer[] = [];
    for (const v of this.#views) if (v !== undefined) out.push(v.sab);
    return out;
  }

  /** Stops listening for announcements. */
  close(): void {
    this.#channel?.close();
    this.#channel = null;
  }

  #drainFor(index: number): SegmentViews {
    const channel = this.#channel;
    if (channel !== null) {
      for (;;) {
        const msg = receiveMessageOnPort(channel as unknown as Parameters<typeof receiveMessageOnPort>[0]);
        if (msg === undefined) break;
        const m = msg.message as SegmentAnnouncement;
        if (m?.kind === 'segment') this.add(m.index, m.sab);
        const views = this.#views[index];
        if (views !== undefined) return views;
      }
    }
    throw new StateError(
      'SEGMENT_UNKNOWN',
      `segment ${index} is referenced by a published version but was never announced to this thread`,
    );
  }
}
