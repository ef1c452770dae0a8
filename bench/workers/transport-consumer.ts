// The consumer of bench/transport.bench.ts: a stand-in for the writer worker. It "applies" each
// message (echo, or `spinUs` of busy work), replies per message with { seq, version }, and answers
// pings on its parentPort, which is how attach requests reach a writer: the ping time shows whether
// the transport lets its event loop breathe while saturated.
//
// Transports (one per setup):
//   pm-each      batches on a MessagePort, one reply message per batch
//   pm-coalesce  batches on a MessagePort, replies coalesced per event-loop turn (setImmediate)
//   ring-pm      batches in a ring per producer, replies coalesced per drain pass on the port
//   ring-ring    batches in a ring per producer, replies coalesced per drain pass into a reply ring
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type RingHandle, RingReader, RingWriter, waitDoorbell } from '../../src/runtime/transport/ring.js';

export type TransportMode = 'pm-each' | 'pm-coalesce' | 'ring-pm' | 'ring-ring';

/** One producer's channels, as the bench sets them up. */
export interface LaneSetup {
  port: MessagePort;
  ring: RingHandle | null;
  replyRing: RingHandle | null;
}

export type ConsumerRequest =
  | { kind: 'ping'; id: number }
  | { kind: 'setup'; mode: TransportMode; spinUs: number; lanes: LaneSetup[] }
  | { kind: 'teardown' };

/** Drain budget of one ring pass: at most this many frames per ring... */
export const MAX_FRAMES_PER_RING = 256;
/** ...and at most this long in all, then setImmediate so the event loop serves other messages. */
export const MAX_PASS_MS = 2;

const { bell } = workerData as { bell: Int32Array };

interface Lane {
  port: MessagePort;
  reader: RingReader | null;
  replies: RingWriter | null;
  /** The ring's next frame's sequence number: a ring keeps order, so the count is the seq. */
  seq: number;
  /** Replies not sent yet: seq, version pairs. */
  pending: number[];
}

let mode: TransportMode = 'pm-each';
let spinUs = 0;
let lanes: Lane[] = [];
let generation = 0;
let version = 0;
let flushScheduled = false;

function apply(bytes: Uint8Array): number {
  if (spinUs > 0) {
    const end = performance.now() + spinUs / 1000;
    while (performance.now() < end) {}
  }
  // Touch the bytes, as a decoder would.
  return ++version + (bytes.length > 0 ? bytes[bytes.length - 1]! & 0 : 0);
}

/** Sends a lane's pending replies as one Float64Array of pairs; false if the reply ring is full. */
function flush(lane: Lane): boolean {
  const n = lane.pending.length;
  if (n === 0) return true;
  const pairs = Float64Array.from(lane.pending);
  if (lane.replies !== null) {
    if (!lane.replies.tryWrite(new Uint8Array(pairs.buffer))) return false;
  } else {
    lane.port.postMessage(pairs, [pairs.buffer]);
  }
  lane.pending.length = 0;
  return true;
}

function flushAll(): void {
  flushScheduled = false;
  for (const lane of lanes) flush(lane);
}

function onPortMessage(this: Lane, m: { seq: number; bytes: Uint8Array }): void {
  const v = apply(m.bytes);
  if (mode === 'pm-each') {
    this.port.postMessage({ seq: m.seq, version: v });
    return;
  }
  this.pending.push(m.seq, v);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * The writer's loop over its rings: load the doorbell, drain each ring within the budget, send the
 * replies, then either yield a turn (work was done or the budget ran out: more may be waiting) or
 * sleep on the doorbell with waitAsync, which leaves the event loop free for pings and attaches.
 */
async function ringLoop(gen: number): Promise<void> {
  while (gen === generation) {
    const seen = Atomics.load(bell, 0);
    const end = performance.now() + MAX_PASS_MS;
    let worked = false;
    for (const lane of lanes) {
      if (lane.reader === null || !flush(lane)) continue; // a full reply ring stops its lane
      for (let n = 0; n < MAX_FRAMES_PER_RING; n++) {
        const view = lane.reader.read();
        if (view === null) break;
        lane.pending.push(lane.seq++, apply(view));
        worked = true;
        if ((n & 15) === 15 && performance.now() > end) break;
      }
      lane.reader.release();
      flush(lane);
    }
    if (worked) await yieldTurn();
    else await waitDoorbell(bell, seen);
  }
}

parentPort!.on('message', (m: ConsumerRequest) => {
  if (m.kind === 'ping') {
    parentPort!.postMessage({ kind: 'pong', id: m.id });
  } else if (m.kind === 'setup') {
    mode = m.mode;
    spinUs = m.spinUs;
    generation++;
    lanes = m.lanes.map((s) => ({
      port: s.port,
      reader: s.ring === null ? null : new RingReader(s.ring),
      replies: s.replyRing === null ? null : new RingWriter(s.replyRing),
      seq: 0,
      pending: [],
    }));
    for (const lane of lanes) {
      if (lane.reader === null) lane.port.on('message', onPortMessage.bind(lane));
    }
    if (mode === 'ring-pm' || mode === 'ring-ring') void ringLoop(generation);
    parentPort!.postMessage({ kind: 'ready' });
  } else if (m.kind === 'teardown') {
    generation++;
    // Wake a loop asleep on the doorbell so it sees the new generation and ends.
    Atomics.add(bell, 0, 1);
    Atomics.notify(bell, 0);
    for (const lane of lanes) lane.port.close();
    lanes = [];
    parentPort!.postMessage({ kind: 'done' });
  }
});
