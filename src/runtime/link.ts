import type { MessagePort } from 'node:worker_threads';
import type { RingWriter } from './transport/ring.js';
import type { ClientMessage, WriterMessage } from './wire.js';
import type { LocalPort, WriterHost } from './writer-host.js';

/** A client's line to its writer: a MessagePort to another thread, or a call within the thread. */
export interface Link {
  send(message: ClientMessage, transfer?: ArrayBuffer[]): void;
  /** Keeps this thread alive while replies are awaited (`ref`), or lets it exit (`unref`). */
  ref(): void;
  unref(): void;
  close(): void;
}

/** Handlers of what comes back on a link. */
export interface LinkEvents {
  message(message: WriterMessage): void;
  /** The writer's end is gone without a `closing` message: its thread died. */
  lost(): void;
}

/**
 * A link over a MessagePort whose other end the writer serves. With a ring, submitted batches go
 * through the ring (shared memory, no message per batch) and everything else through the port.
 */
export function portLink(port: MessagePort, ring: RingWriter | null, events: LinkEvents): Link {
  let closing = false;
  port.on('message', (m: WriterMessage) => events.message(m));
  port.on('close', () => {
    if (!closing) events.lost();
  });
  port.unref();
  return {
    send: (m, transfer) => {
      if (ring === null || m.t !== 'submit') port.postMessage(m, transfer);
      // Waits for space when the ring is full: back-pressure. It fails only once the ring is
      // closed, when the writer is gone and the client has failed the batch already.
      else if (!ring.tryWrite(m.bytes)) ring.write(m.bytes).catch(() => {});
    },
    ref: () => port.ref(),
    unref: () => port.unref(),
    close: () => {
      closing = true;
      ring?.close();
      port.close();
    },
  };
}

/**
 * A link to a writer in this very thread (the inline writer's own client). Replies are delivered
 * on a microtask, never inside the call that caused them, as they would be from another thread.
 */
export function localLink(host: WriterHost, events: LinkEvents): Link {
  let open = true;
  const port: LocalPort = {
    postMessage: (m) => {
      if (open) queueMicrotask(() => events.message(m));
    },
    close: () => {
      open = false;
    },
  };
  const receive = host.connect(port);
  return {
    send: (m) => {
      if (open) receive(m);
    },
    ref: () => {},
    unref: () => {},
    close: () => {
      open = false;
    },
  };
}
