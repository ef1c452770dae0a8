import { StateError, type StateErrorCode, type StateErrorDetails } from '../errors.js';

/*
 * The messages between a client and the writer, on the MessagePort that connects them. Plain data:
 * everything here survives postMessage's structured clone.
 */

/** An error as it crosses a thread: enough to rebuild the same `StateError` on the other side. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details: StateErrorDetails;
}

/** Client to writer. */
export type ClientMessage =
  /** A batch as FlatBuffers bytes; `seq` numbers this client's batches from 1, in send order. */
  | { readonly t: 'submit'; readonly seq: number; readonly bytes: Uint8Array }
  /** Stream the commit feed's records after version `from`, at most `credit` unacknowledged. */
  | { readonly t: 'changes'; readonly id: number; readonly from: number; readonly credit: number }
  /** The client consumed `n` more records of stream `id`. */
  | { readonly t: 'credit'; readonly id: number; readonly n: number }
  | { readonly t: 'unsubscribe'; readonly id: number };

/** Writer to client. */
export type WriterMessage =
  /** Replies for submits, in order: `versions[i]` for `seqs[i]`, coalesced per turn of the writer. */
  | { readonly t: 'acks'; readonly seqs: number[]; readonly versions: number[] }
  | { readonly t: 'nack'; readonly seq: number; readonly error: WireError }
  | { readonly t: 'record'; readonly id: number; readonly version: number; readonly bytes: Uint8Array }
  | { readonly t: 'changes-error'; readonly id: number; readonly error: WireError }
  /** The writer is stopping: every later submit fails with this error. */
  | { readonly t: 'closing'; readonly error: WireError };

/** What a thread posts to the writer's thread to connect (see `postMessageToThread`). */
export interface ConnectRequest {
  readonly kind: 'acs:connect';
  readonly runtimeId: string;
  readonly port: import('node:worker_threads').MessagePort;
  /** The client's ring of batches; its frames are the client's submits, in order, from seq 1. */
  readonly ring: import('./transport/ring.js').RingHandle | null;
}

/** Turns any thrown value into its wire form, keeping a `StateError`'s code and details. */
export function errorToWire(err: unknown): WireError {
  if (err instanceof StateError)
    return { code: err.code, message: err.message, details: plainDetails(err.details) };
  const e = err as Error;
  return { code: 'INTERNAL', message: e?.message ?? String(err), details: {} };
}

/** The error a wire error stands for: a `StateError` with the same code, message and details. */
export function errorFromWire(w: WireError): StateError {
  return new StateError(w.code as StateErrorCode, w.message, w.details);
}

// A rejected value may be anything a user passed (a function, a symbol): it must not make the reply
// itself fail to clone, so values that cannot cross are described instead.
function plainDetails(d: StateErrorDetails): StateErrorDetails {
  if (!('value' in d)) return d;
  const v = d.value;
  const t = typeof v;
  if (v === null || v === undefined || t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean')
    return d;
  try {
    structuredClone(v);
    return d;
  } catch {
    return { ...d, value: String(v) };
  }
}
