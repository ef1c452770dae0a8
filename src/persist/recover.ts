import { existsSync } from 'node:fs';
import { decodeBatch } from '../codec/batch-codec.js';
import type { Schema } from '../schema/schema.js';
import { applyBatch } from '../store/apply.js';
import type { Store } from '../store/store.js';
import { type CheckpointProblem, loadCheckpoint } from './checkpoint/index.js';
import type { PersistConfig } from './options.js';
import { readWal, type WalDamage } from './wal/index.js';

/**
 * Log records applied in one transaction during replay. Large: a transaction copies each row group
 * it touches once, and random updates of a million rows touch nearly every group in a thousand
 * records, so a run of 20,000 copies the groups 20 times less often than runs of 1,000.
 */
const REPLAY_RUN = 20_000;

/** What opening a persistence folder found and did. */
export interface RecoveryReport {
  /** The checkpoint loaded (its version and folder), or null when the state starts from the log. */
  readonly checkpoint: { readonly version: number; readonly path: string } | null;
  /** Checkpoints passed over (damaged, missing files, a damaged manifest), each with its reason. */
  readonly problems: readonly CheckpointProblem[];
  /** Log records replayed after the checkpoint, and the version the store stands at. */
  readonly replayed: number;
  readonly version: number;
  /** A torn tail cut from the log (an incomplete last write), or null. */
  readonly torn: WalDamage | null;
  /** Damage in the middle of the log that `repair` dropped (with the versions lost), or null. */
  readonly dropped: WalDamage | null;
  /** Milliseconds spent loading the checkpoint and replaying the log. */
  readonly loadMs: number;
  readonly replayMs: number;
}

/**
 * Rebuilds the state of a persistence folder into `store`, a fresh store of `schema`: the newest
 * valid checkpoint, bulk-loaded at its own version (rows in stored order, since UpdateAt and
 * DeleteAt records name row positions), then every log record after it, in runs applied as one
 * transaction each and published as the run's last version: the store ends at exactly the log's
 * last version, so version numbers mean what they meant before the crash (intermediate versions
 * are never seen, as gaps). Dictionary codes may differ: records name strings, not codes.
 *
 * A torn tail of the log is cut; damage before it refuses to open (WAL_CORRUPT, naming the segment
 * and offset) unless `config.repair`, which keeps what precedes it. Both are in the report. In
 * `readonly` mode nothing in the folder is written: a torn tail is the end of the log.
 */
export function recoverInto(
  store: Store,
  schema: Schema,
  config: Pick<PersistConfig, 'folder' | 'walFolder' | 'repair'>,
  mode: 'recover' | 'readonly' = 'recover',
): RecoveryReport {
  const t0 = performance.now();
  const loaded = loadCheckpoint(config.folder, schema);
  let from = 0;
  // Version 1 is every store's empty start: a checkpoint of it has nothing to load.
  if (loaded !== null && loaded.version > store.version) {
    from = loaded.version;
    store.write(
      (tx) => {
        for (const [name, table] of loaded.tables) if (table.numRows > 0) tx.load(name, table);
        for (const key of Object.keys(loaded.meta)) tx.setMeta(key, loaded.meta[key]!);
      },
      // The checkpoint and the log are the record of these versions: nothing to record again.
      { version: loaded.version, record: false },
    );
  }
  const t1 = performance.now();
  // A new folder has no log yet (the writer creates it with its first record).
  const wal = existsSync(config.walFolder)
    ? readWal(config.walFolder, { after: from, mode, repair: config.repair })
    : { records: [], lastVersion: null, torn: null, dropped: null };
  // Many records per published version: nobody reads the store while it recovers, and one commit
  // per record would copy each touched root and directory page once per record. The last record of
  // each run publishes its own version, so the store ends at the log's last version exactly.
  const records = wal.records;
  for (let start = 0; start < records.length; start += REPLAY_RUN) {
    const run = records.slice(start, start + REPLAY_RUN);
    store.write(
      (tx) => {
        for (const record of run) {
          const { batch } = decodeBatch(record.bytes);
          // A marker kept the number of a version the writer made on its own: nothing to apply.
          if (batch.marker === undefined) applyBatch(tx, batch);
        }
      },
      { version: run[run.length - 1]!.version, record: false },
    );
  }
  return {
    checkpoint: loaded === null ? null : { version: loaded.version, path: loaded.path },
    problems: loaded?.problems ?? [],
    replayed: wal.records.length,
    version: store.version,
    torn: wal.torn,
    dropped: wal.dropped,
    loadMs: t1 - t0,
    replayMs: performance.now() - t1,
  };
}
