import { MessageChannel, type MessagePort, postMessageToThread, threadId } from 'node:worker_threads';
import { StateError } from '../errors.js';
import { type Control, W_OWNER } from '../memory/control.js';
import { clearThreadSlots, THREAD_TAG } from '../memory/slots.js';

/** What the owner thread keeps of each store it serves attach requests for. */
export interface OwnedStore {
  readonly control: Control;
  /** Every segment that exists now, in index order. */
  readonly buffers: () => SharedArrayBuffer[];
}

interface AttachRequest {
  readonly kind: 'acs:attach';
  readonly storeId: string;
  readonly tag: number;
  readonly port: MessagePort;
}

type AttachReply = { readonly segments: SharedArrayBuffer[] } | { readonly error: string };

const served = new Map<string, { store: OwnedStore; ports: Set<MessagePort> }>();
let listening = false;

/**
 * Makes this thread answer attach requests for a store it owns. An attaching thread sends a
 * MessagePort; the owner replies with the full segment table and keeps the port: when the attached
 * thread dies, its end closes, and the owner clears that thread's reader slots.
 */
export function serveAttach(storeId: string, store: OwnedStore): void {
  served.set(storeId, { store, ports: new Set() });
  if (!listening) {
    listening = true;
    process.on('workerMessage', onWorkerMessage);
  }
}

/** Stops serving a store and closes the ports of its attached threads. */
export function stopServing(storeId: string): void {
  const entry = served.get(storeId);
  if (entry === undefined) return;
  served.delete(storeId);
  for (const port of entry.ports) port.close();
  if (served.size === 0 && listening) {
    listening = false;
    process.off('workerMessage', onWorkerMessage);
  }
}

/** The store this thread owns under `storeId`, if any (an attach from the owner's own thread). */
export function ownedHere(storeId: string): OwnedStore | undefined {
  return served.get(storeId)?.store;
}

function onWorkerMessage(value: unknown): void {
  const req = value as AttachRequest | null;
  if (req === null || typeof req !== 'object' || req.kind !== 'acs:attach') return;
  const entry = served.get(req.storeId);
  if (entry === undefined) {
    req.port.postMessage({
      error: `store ${req.storeId} is closed or not owned by thread ${threadId}`,
    } satisfies AttachReply);
    req.port.close();
    return;
  }
  const { store, ports } = entry;
  ports.add(req.port);
  req.port.on('close', () => {
    ports.delete(req.port);
    clearThreadSlots(store.control, req.tag);
  });
  // The port exists only to learn of the attached thread's death; it must not keep us alive.
  req.port.unref();
  req.port.postMessage({ segments: store.buffers() } satisfies AttachReply);
}

/**
 * Registers this thread with the owner of a store and returns every segment that exists. The
 * returned port must stay open while the thread is attached, and be closed on detach.
 */
export async function requestAttach(
  control: Control,
  storeId: string,
): Promise<{ segments: SharedArrayBuffer[]; port: MessagePort | null }> {
  const owner = control.i32[W_OWNER]!;
  if (owner === threadId) {
    const store = ownedHere(storeId);
    if (store === undefined) throw new StateError('STORE_CLOSED', `store ${storeId} is closed`);
    return { segments: store.buffers(), port: null };
  }
  const { port1, port2 } = new MessageChannel();
  const reply = new Promise<AttachReply>((resolve) => port1.once('message', resolve));
  // postMessageToThread waits for its delivery receipt with Atomics.waitAsync, which does not keep
  // the event loop alive, and our reply can arrive first, after which port1 has no listener left:
  // a worker whose top-level code awaits attach then exits with code 13. A timer holds the loop.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    try {
      await postMessageToThread(
        owner,
        { kind: 'acs:attach', storeId, tag: THREAD_TAG, port: port2 },
        [port2],
        10_000,
      );
    } catch (err) {
      port1.close();
      throw new StateError(
        'STORE_CLOSED',
        `the owner thread ${owner} of store ${storeId} did not take the attach request: ${(err as Error).message}`,
      );
    }
    const answer = await reply;
    if ('error' in answer) {
      port1.close();
      throw new StateError('STORE_CLOSED', answer.error);
    }
    port1.unref();
    return { segments: answer.segments, port: port1 };
  } finally {
    clearInterval(keepAlive);
  }
}
