import type { MessagePort } from 'node:worker_threads';
import type { RecoveryReport } from '../persist/recover.js';
import type { Schema } from '../schema/schema.js';
import { errorToWire, type WireError } from './wire.js';
import { type WriterAddress, WriterHost, type WriterHostOptions } from './writer-host.js';

/** What the runtime passes to its writer worker. */
export interface WriterWorkerData {
  readonly runtimeId: string;
  readonly schema: Schema;
  readonly options: WriterHostOptions;
}

/** Between the runtime and its writer worker (on the worker's parent port). */
export type WriterControl =
  | { readonly t: 'ready'; readonly address: WriterAddress; readonly recovery: RecoveryReport | null }
  | { readonly t: 'failed'; readonly error: WireError }
  | { readonly t: 'close' }
  | { readonly t: 'closed' };

/**
 * The logic of `workers/writer`: creates the store in this thread (which then owns the arena and
 * holds the writer lease), reports its address, and closes it when the runtime says so. After
 * that nothing holds the thread's event loop, and the worker exits by itself.
 */
export function serveWriterWorker(parent: MessagePort, data: WriterWorkerData): void {
  let host: WriterHost;
  try {
    host = new WriterHost(data.runtimeId, data.schema, data.options);
  } catch (err) {
    parent.postMessage({ t: 'failed', error: errorToWire(err) } satisfies WriterControl);
    return;
  }
  parent.on('message', (m: WriterControl) => {
    if (m.t !== 'close') return;
    void host.close().then(() => {
      parent.postMessage({ t: 'closed' } satisfies WriterControl);
      parent.close();
    });
  });
  parent.postMessage({
    t: 'ready',
    address: host.address(),
    recovery: host.recovery,
  } satisfies WriterControl);
}
