import { MessageChannel, type MessagePort, postMessageToThread } from 'node:worker_threads';
import { StateError } from '../errors.js';
import type { RingHandle } from './transport/ring.js';
import type { ConnectRequest } from './wire.js';
import type { WriterAddress } from './writer-host.js';

/**
 * Opens a channel to the writer of `address` from this thread: the writer's thread receives one end
 * through `process.on('workerMessage')`, whichever thread it is, so that any thread holding the
 * address (a user's own worker, a piscina worker) connects without the runtime's help.
 */
export async function requestConnect(address: WriterAddress, ring: RingHandle | null): Promise<MessagePort> {
  const { port1, port2 } = new MessageChannel();
  // See requestAttach: postMessageToThread's receipt wait does not keep the event loop alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await postMessageToThread(
      address.writerThread,
      { kind: 'acs:connect', runtimeId: address.runtimeId, port: port2, ring } satisfies ConnectRequest,
      [port2],
      10_000,
    );
  } catch (err) {
    port1.close();
    throw new StateError(
      'STORE_CLOSED',
      `the writer thread ${address.writerThread} of runtime ${address.runtimeId} did not take the connection: ${(err as Error).message}`,
    );
  } finally {
    clearInterval(keepAlive);
  }
  return port1;
}
