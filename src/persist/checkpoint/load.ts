import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Table } from 'apache-arrow';
import { StateError, type StateErrorCode } from '../../errors.js';
import type { Schema } from '../../schema/schema.js';
import type { MetaMap } from '../../store/meta.js';
import {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_JSON,
  type CheckpointInfo,
  type PersistFormat,
} from './format.js';
import { readManifest, scanCheckpoints } from './manifest.js';
import { checkSchemaCompatible } from './schema-compat.js';
import { decodeTable } from './table-codec.js';

/** A checkpoint, or a manifest, that recovery passed over, and why. */
export interface CheckpointProblem {
  /** The checkpoint folder's name, or null for the manifest. */
  readonly checkpoint: string | null;
  /** The file at fault, inside the checkpoint folder (or `manifest.json`); null for the folder itself. */
  readonly file: string | null;
  /** CHECKPOINT_CORRUPT (damaged, truncated, missing, bad checksum) or PERSIST_IO (unreadable). */
  readonly code: StateErrorCode;
  /** What was wrong, naming the path. */
  readonly message: string;
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** Called with each checkpoint (or manifest) passed over, as it happens. */
  onProblem?: (problem: CheckpointProblem) => void;
}

/** A checkpoint read back: what a recovering store loads. */
export interface LoadedCheckpoint {
  /** The store version the checkpoint holds. */
  readonly version: number;
  /** Its folder's path. */
  readonly path: string;
  readonly format: PersistFormat;
  /** When the version was committed, and when the checkpoint was written (ms since the epoch). */
  readonly committedAt: number;
  readonly writtenAt: number;
  /** The store metadata of the version. */
  readonly meta: MetaMap;
  /** The schema it was written with (compatible with the requested one). */
  readonly schema: Schema;
  /**
   * Each table of the requested schema as an apache-arrow Table, rows in storage order, ready for
   * `tx.load` (dictionary columns as dictionaries; columns the requested schema added are absent).
   */
  readonly tables: Map<string, Table>;
  /** Every problem met on the way (also given to `onProblem`). */
  readonly problems: readonly CheckpointProblem[];
}

interface Candidate {
  readonly name: string;
  readonly version: number;
  /** The checksum of checkpoint.json the manifest gives; null when the folder was found by a scan. */
  readonly crc32: number | null;
}

type Attempt = { loaded: LoadedCheckpoint } | { vanished: string } | { problem: CheckpointProblem };

/** How often a reader starts over when a writer pruned a checkpoint it was reading. */
const MAX_RESTARTS = 5;

/**
 * Reads the newest valid checkpoint of persistence folder `folder` for a store of `schema`, or
 * null when there is none. A checkpoint with a damaged, truncated or missing file (sizes and crc32
 * are checked, then the file is decoded) is passed over for the previous one, and each problem is
 * reported; a damaged manifest is reported and the checkpoint-* folders scanned instead. Reading
 * writes nothing, takes no lock and truncates nothing; when a file disappears (a writer pruned its
 * checkpoint) the manifest is read again, and the search starts over if it changed.
 *
 * Throws CHECKPOINT_FORMAT when the manifest or the chosen checkpoint is of a newer format, and
 * SCHEMA_MISMATCH when the checkpoint's schema differs from `schema` by more than added nullable
 * columns (the message lists the differences).
 */
export function loadCheckpoint(
  folder: string,
  schema: Schema,
  options: LoadCheckpointOptions = {},
): LoadedCheckpoint | null {
  const problems: CheckpointProblem[] = [];
  const seen = new Set<string>();
  const report = (p: CheckpointProblem) => {
    // A search that starts over meets the same damaged checkpoints again: report each once.
    const key = `${p.checkpoint}\0${p.file}\0${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
    options.onProblem?.(p);
  };
  let manifestReported = false;
  for (let round = 0; ; round++) {
    const candidates = listCandidates(folder, (p) => {
      if (!manifestReported) report(p);
      manifestReported = true;
    });
    let restart = false;
    for (const c of candidates) {
      const a = attempt(folder, c, schema, problems);
      if ('loaded' in a) return a.loaded;
      if ('problem' in a) {
        report(a.problem);
        continue;
      }
      // A file vanished: a writer may have pruned this checkpoint after writing a newer one.
      const again = listCandidates(folder, () => {});
      if (round < MAX_RESTARTS && !sameNames(again, candidates)) {
        restart = true;
        break;
      }
      report({
        checkpoint: c.name,
        file: a.vanished,
        code: 'CHECKPOINT_CORRUPT',
        message: `${path.join(folder, c.name, a.vanished)} is missing`,
      });
    }
    if (!restart) return null;
  }
}

/** The checkpoints to try, newest first: the manifest's, or a scan's when it is missing or damaged. */
function listCandidates(folder: string, onManifestProblem: (p: CheckpointProblem) => void): Candidate[] {
  const scanned = scanCheckpoints(folder);
  let listed: Candidate[];
  try {
    const manifest = readManifest(folder);
    if (manifest === null) return scanned.map((s) => ({ ...s, crc32: null }));
    listed = manifest.checkpoints.map((e) => ({ name: e.name, version: e.version, crc32: e.crc32 }));
  } catch (err) {
    const e = err as StateError;
    if (e.code !== 'CHECKPOINT_CORRUPT' && e.code !== 'PERSIST_IO') throw err;
    onManifestProblem({ checkpoint: null, file: 'manifest.json', code: e.code, message: e.message });
    return scanned.map((s) => ({ ...s, crc32: null }));
  }
  // A checkpoint renamed into place just before a crash, before the manifest named it, is complete.
  const newest = listed.length === 0 ? -1 : Math.max(...listed.map((c) => c.version));
  const newer = scanned.filter((s) => s.version > newest).map((s) => ({ ...s, crc32: null }));
  return [...newer, ...listed];
}

function sameNames(a: readonly Candidate[], b: readonly Candidate[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name);
}

/** Reads and verifies one checkpoint. Throws only for a newer format or an incompatible schema. */
function attempt(folder: string, c: Candidate, schema: Schema, problems: CheckpointProblem[]): Attempt {
  const dir = path.join(folder, c.name);
  const fail = (
    file: string | null,
    message: string,
    code: StateErrorCode = 'CHECKPOINT_CORRUPT',
  ): Attempt => ({
    problem: { checkpoint: c.name, file, code, message },
  });
  const infoPath = path.join(dir, CHECKPOINT_JSON);
  const read = (p: string): Buffer | 'ENOENT' | Error => {
    try {
      return fs.readFileSync(p);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : (err as Error);
    }
  };
  const infoBytes = read(infoPath);
  if (infoBytes === 'ENOENT') return { vanished: CHECKPOINT_JSON };
  if (infoBytes instanceof Error)
    return fail(CHECKPOINT_JSON, `reading ${infoPath} failed: ${infoBytes.message}`, 'PERSIST_IO');
  if (c.crc32 !== null && crc32(infoBytes) !== c.crc32) {
    return fail(CHECKPOINT_JSON, `${infoPath} does not match the checksum the manifest gives for it`);
  }
  let info: CheckpointInfo;
  try {
    info = JSON.parse(infoBytes.toString('utf8')) as CheckpointInfo;
  } catch (err) {
    return fail(CHECKPOINT_JSON, `${infoPath} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof info !== 'object' || info === null || !Number.isInteger(info.formatVersion)) {
    return fail(CHECKPOINT_JSON, `${infoPath} is not a checkpoint description`);
  }
  if (info.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new StateError(
      'CHECKPOINT_FORMAT',
      `${dir} has format version ${info.formatVersion}; this code reads up to ${CHECKPOINT_FORMAT_VERSION}: open the folder with a newer version`,
      { path: dir },
    );
  }
  if (info.version !== c.version || !Array.isArray(info.files) || typeof info.schema !== 'object') {
    return fail(CHECKPOINT_JSON, `${infoPath} does not describe checkpoint version ${c.version}`);
  }
  checkSchemaCompatible(info.schema, schema, dir);
  const tables = new Map<string, Table>();
  for (const t of schema.tables) {
    const f = info.files.find((x) => x.table === t.name);
    if (f === undefined) return fail(CHECKPOINT_JSON, `${infoPath} lists no file for table ${t.name}`);
    const p = path.join(dir, f.file);
    const bytes = read(p);
    if (bytes === 'ENOENT') return { vanished: f.file };
    if (bytes instanceof Error) return fail(f.file, `reading ${p} failed: ${bytes.message}`, 'PERSIST_IO');
    if (bytes.byteLength !== f.bytes) {
      return fail(
        f.file,
        `${p} is ${bytes.byteLength} bytes, ${f.bytes} were written (truncated or damaged)`,
      );
    }
    if (crc32(bytes) !== f.crc32) return fail(f.file, `${p} fails its crc32 check (damaged)`);
    let table: Table;
    try {
      table = decodeTable(bytes, info.format);
    } catch (err) {
      return fail(f.file, `${p} is not a readable ${info.format} file: ${(err as Error).message}`);
    }
    if (table.numRows !== f.rows)
      return fail(f.file, `${p} holds ${table.numRows} rows, ${f.rows} were written`);
    tables.set(t.name, table);
  }
  return {
    loaded: {
      version: info.version,
      path: dir,
      format: info.format,
      committedAt: info.committedAt,
      writtenAt: info.writtenAt,
      meta: Object.assign(Object.create(null), info.meta) as MetaMap,
      schema: info.schema,
      tables,
      problems,
    },
  };
}
