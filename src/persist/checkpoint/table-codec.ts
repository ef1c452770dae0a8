import { type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { PersistFormat } from './format.js';
import { fromParquet, type ParquetCompression, toParquet } from './parquet.js';

/*
 * A table file's bytes from a snapshot's Arrow table, and back.
 *
 * Dictionary columns stay dictionary-encoded, with one dictionary per domain: a snapshot's Arrow
 * view already gives every batch of a version the same dictionary Vector of each domain (the
 * domain's strings as of the version), so Arrow's IPC file writer, which refuses replacement
 * dictionaries across batches, writes each dictionary once and the codes as stored, with no copy
 * or re-encoding of the rows. The cost: a file carries its domains whole (strings of other tables,
 * and strings no row names any more until the domain is compacted). Loading interns only the
 * strings that rows name, so a restored domain is compact.
 */

/** The bytes of `table` as a Feather v2 file (Arrow IPC file format, uncompressed) or Parquet. */
export function encodeTable(
  table: Table,
  format: PersistFormat,
  compression?: ParquetCompression,
): Uint8Array {
  return format === 'feather' ? tableToIPC(table, 'file') : toParquet(table, compression);
}

/** The Arrow table in a table file's bytes; throws if they are not a valid file of `format`. */
export function decodeTable(bytes: Uint8Array, format: PersistFormat): Table {
  return format === 'feather' ? tableFromIPC(bytes) : fromParquet(bytes);
}
