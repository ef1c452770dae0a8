import { encodeBatch } from '../codec/batch-codec.js';
import type { Batch } from '../store/effects.js';
import type { CommitRecord } from './feed.js';

/** The record of a version the writer made on its own: it changed codes, no row. */
export const MARKER: Batch = { effects: [], marker: 'compaction' };

/**
 * A feed record whose bytes are encoded when first read: an inline `write(fn)` then pays for its
 * encoding only if a consumer or a `changes()` reader wants it. The batch a transaction recorded is
 * a copy of its inputs, so encoding it later gives what encoding it now would.
 */
export class LazyRecord implements CommitRecord {
  readonly version: number;
  /** The encoded length, or an estimate from the effect count until encoded. */
  readonly size: number;
  #bytes: Uint8Array | null;
  #batch: Batch | null;

  constructor(version: number, bytes: Uint8Array | null, batch: Batch | null) {
    this.version = version;
    this.#bytes = bytes;
    this.#batch = batch;
    this.size = bytes?.byteLength ?? 64 + 128 * batch!.effects.length;
  }

  get bytes(): Uint8Array {
    if (this.#bytes === null) {
      this.#bytes = encodeBatch(this.#batch!, this.version);
      this.#batch = null;
    }
    return this.#bytes;
  }
}
