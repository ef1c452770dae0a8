// A producer of bench/transport.bench.ts: submits a batch and awaits its reply, over the transport
// the bench set up, and times (a) one submit at a time and (b) `inflight` submits kept in flight.
import { type MessagePort, parentPort } from 'node:worker_threads';
import { type RingHandle, RingReader, RingWriter, waitDoorbell } from '../../src/runtime/transport/ring.js';
import type { TransportMode } from './transport-consumer.js';

export type ProducerRequest =
  | {
      kind: 'setup';
      mode: TransportMode;
      port: MessagePort;
      ring: RingHandle | null;
      replyRing: RingHandle | null;
    }
  | { kind: 'latency'; payload: Uint8Array; ms: number }
  | { kind: 'throughput'; payload: Uint8Array; inflight: number; ms: number }
  | { kind: 'teardown' };

let mode: TransportMode = 'pm-each';
let port: MessagePort | null = null;
let writer: RingWriter | null = null;
let replyReader: RingReader | null = null;
let replyBell: Int32Array | null = null;
let nextSeq = 0;
let generation = 0;
const waiting = new Map<number, (version: number) => void>();

function settle(seq: number, version: number): void {
  const resolve = waiting.get(seq)!;
  waiting.delete(seq);
  resolve(version);
}

/** Replies arrive as Float64Array pairs (coalesced) or as { seq, version } (one per batch). */
function onReply(m: Float64Array | { seq: number; version: number }): void {
  if (m instanceof Float64Array) {
    for (let i = 0; i < m.length; i += 2) settle(m[i]!, m[i + 1]!);
  } else {
    settle(m.seq, m.version);
  }
}

/** Reads the reply ring, sleeping on its doorbell between replies. */
async function replyLoop(gen: number, reader: RingReader, bell: Int32Array): Promise<void> {
  while (gen === generation) {
    const seen = Atomics.load(bell, 0);
    let got = false;
    for (let view = reader.read(); view !== null; view = reader.read()) {
      const pairs = new Float64Array(view.buffer, view.byteOffset, view.length / 8);
      for (let i = 0; i < pairs.length; i += 2) settle(pairs[i]!, pairs[i + 1]!);
      got = true;
    }
    if (got) await new Promise((r) => setImmediate(r));
    else await waitDoorbell(bell, seen);
  }
}

function submit(payload: Uint8Array): Promise<number> {
  const seq = nextSeq++;
  const reply = new Promise<number>((resolve) => waiting.set(seq, resolve));
  if (writer !== null) {
    // Back-pressure: a full ring queues the write; the ring keeps order, so the seq is implicit.
    void writer.write(payload);
  } else {
    // A fresh buffer per batch, as encodeBatch makes one; transferring detaches it.
    const bytes = payload.slice();
    port!.postMessage({ seq, bytes }, [bytes.buffer]);
  }
  return reply;
}

async function latency(payload: Uint8Array, ms: number): Promise<Float64Array> {
  const samples: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    await submit(payload);
    samples.push((performance.now() - t0) * 1000);
  }
  return Float64Array.from(samples);
}

async function throughput(payload: Uint8Array, inflight: number, ms: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const lane = async () => {
    while (performance.now() < end) {
      await submit(payload);
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, lane));
  return (done / (performance.now() - t0)) * 1000;
}

parentPort!.on('message', async (m: ProducerRequest) => {
  if (m.kind === 'setup') {
    mode = m.mode;
    generation++;
    nextSeq = 0;
    port = m.port;
    writer = m.ring === null ? null : new RingWriter(m.ring);
    replyReader = m.replyRing === null ? null : new RingReader(m.replyRing);
    replyBell = m.replyRing === null ? null : m.replyRing.doorbell;
    if (replyReader !== null) void replyLoop(generation, replyReader, replyBell!);
    else port.on('message', onReply);
    parentPort!.postMessage({ kind: 'ready', mode });
  } else if (m.kind === 'latency') {
    const samples = await latency(m.payload, m.ms);
    parentPort!.postMessage({ kind: 'latency', samples }, [samples.buffer as ArrayBuffer]);
  } else if (m.kind === 'throughput') {
    const perSecond = await throughput(m.payload, m.inflight, m.ms);
    parentPort!.postMessage({ kind: 'throughput', perSecond });
  } else if (m.kind === 'teardown') {
    generation++;
    if (replyBell !== null) {
      // Wake the reply loop so it sees the new generation and ends.
      Atomics.add(replyBell, 0, 1);
      Atomics.notify(replyBell, 0);
    }
    port?.close();
    port = null;
    writer = null;
    replyReader = null;
    parentPort!.postMessage({ kind: 'done' });
  }
});
