import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateError } from '../../errors.js';
import { ioError, replaceFileAtomically } from './durable-fs.js';
import {
  CHECKPOINT_FORMAT_VERSION,
  MANIFEST,
  type Manifest,
  type ManifestEntry,
  versionOfName,
} from './format.js';

/*
 * manifest.json: the list of kept checkpoints, newest first, replaced atomically after each
 * checkpoint. It is an index, not the only truth: a reader that finds it damaged scans the
 * checkpoint-* folders instead.
 */

const encoder = new TextEncoder();

/**
 * The manifest of persistence folder `folder`, or null when it has none. Throws CHECKPOINT_CORRUPT
 * when it is not a valid manifest, and CHECKPOINT_FORMAT when a newer format version wrote it.
 */
export function readManifest(folder: string): Manifest | null {
  const p = path.join(folder, MANIFEST);
  let text: string;
  try {
    text = fs.readFileSync(p, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(err, 'reading', p);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateError('CHECKPOINT_CORRUPT', `${p} is not valid JSON: ${(err as Error).message}`, {
      path: p,
    });
  }
  const m = doc as Manifest;
  if (
    typeof m !== 'object' ||
    m === null ||
    !Number.isInteger(m.formatVersion) ||
    !Array.isArray(m.checkpoints)
  ) {
    throw new StateError('CHECKPOINT_CORRUPT', `${p} is not a checkpoint manifest`, { path: p });
  }
  if (m.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new StateError(
      'CHECKPOINT_FORMAT',
      `${p} has format version ${m.formatVersion}; this code reads up to ${CHECKPOINT_FORMAT_VERSION}: open the folder with a newer version`,
      { path: p },
    );
  }
  for (const e of m.checkpoints) {
    if (
      typeof e !== 'object' ||
      e === null ||
      versionOfName(e.name) !== e.version ||
      !Number.isInteger(e.crc32) ||
      (e.format !== 'feather' && e.format !== 'parquet')
    ) {
      throw new StateError(
        'CHECKPOINT_CORRUPT',
        `${p} lists an invalid checkpoint entry ${JSON.stringify(e)}`,
        {
          path: p,
        },
      );
    }
  }
  return m;
}

/** Replaces `folder`'s manifest atomically by one listing `entries` (newest first). */
export function writeManifest(folder: string, entries: readonly ManifestEntry[]): void {
  const manifest: Manifest = { formatVersion: CHECKPOINT_FORMAT_VERSION, checkpoints: entries };
  replaceFileAtomically(
    path.join(folder, MANIFEST),
    encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`),
  );
}

/** The checkpoint-* folders in `folder`, newest first, as (name, version); none if it does not exist. */
export function scanCheckpoints(folder: string): { name: string; version: number }[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(err, 'listing', folder);
  }
  return names
    .map((name) => ({ name, version: versionOfName(name) }))
    .filter((c) => c.version >= 0)
    .sort((a, b) => b.version - a.version);
}
