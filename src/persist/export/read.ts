import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Table, tableFromIPC } from 'apache-arrow';
import { StateError } from '../../errors.js';
import { ioError } from '../checkpoint/durable-fs.js';
import { EXPORT_FORMAT, EXPORT_METADATA, type ExportMetadata } from './format.js';

/** An export opened by {@link openExport}: its metadata and every table. */
export interface OpenedExport {
  /** The export root the files were read from. */
  readonly root: string;
  /** The metadata the tables belong to. */
  readonly metadata: ExportMetadata;
  /** Each table of the schema, by name: an apache-arrow Table over the bytes read. */
  readonly tables: Readonly<Record<string, Table>>;
}

/** How many times {@link openExport} reads the metadata again when a refresh removed its files. */
const ATTEMPTS = 10;

/**
 * Reads `state_metadata.json` of the export in `root` (or at the path of the file itself).
 * Throws PERSIST_IO when it is missing or unreadable, CHECKPOINT_CORRUPT when it is no export
 * metadata, CHECKPOINT_FORMAT when a newer format wrote it.
 */
export function readExportMetadata(rootOrMetadataPath: string): ExportMetadata {
  const file = metadataPath(rootOrMetadataPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw ioError(err, 'reading export metadata', file);
  }
  let m: ExportMetadata;
  try {
    m = JSON.parse(text) as ExportMetadata;
  } catch {
    throw new StateError('CHECKPOINT_CORRUPT', `${file} is not JSON`, { path: file });
  }
  if (
    typeof m !== 'object' ||
    m === null ||
    !Number.isInteger(m.format) ||
    m.tables === null ||
    typeof m.tables !== 'object'
  ) {
    throw new StateError('CHECKPOINT_CORRUPT', `${file} is no export metadata`, { path: file });
  }
  if (m.format > EXPORT_FORMAT) {
    throw new StateError(
      'CHECKPOINT_FORMAT',
      `${file} has export format ${m.format}; this code reads ${EXPORT_FORMAT} and older`,
      { path: file },
    );
  }
  return m;
}

/**
 * Opens the export in `root` (or whose `state_metadata.json` is at the path given): reads the
 * metadata, then each table's Arrow IPC file into memory (`tableFromIPC` of `readFileSync`; Node
 * cannot map a file, so this is a copy, and the tables do not change when the export is
 * refreshed). When a file the metadata names is gone (a refresh replaced the export between the
 * two reads) the metadata is read again, up to 10 times, so the tables always belong to the
 * metadata returned. Throws as {@link readExportMetadata} does, and PERSIST_IO when the files keep
 * disappearing or cannot be read.
 */
export function openExport(rootOrMetadataPath: string): OpenedExport {
  const file = metadataPath(rootOrMetadataPath);
  const root = path.dirname(file);
  for (let attempt = 1; ; attempt++) {
    const metadata = readExportMetadata(file);
    const tables: Record<string, Table> = {};
    let missing: string | null = null;
    for (const [name, t] of Object.entries(metadata.tables)) {
      const p = path.resolve(root, t.file);
      if (path.relative(root, p).startsWith('..')) {
        throw new StateError('CHECKPOINT_CORRUPT', `${file} names ${t.file}, outside the export`, {
          path: file,
        });
      }
      let bytes: Uint8Array;
      try {
        bytes = fs.readFileSync(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(err, 'reading', p);
        missing = p;
        break;
      }
      tables[name] = tableFromIPC(bytes);
    }
    if (missing === null) return { root, metadata, tables };
    if (attempt >= ATTEMPTS) {
      throw new StateError(
        'PERSIST_IO',
        `${missing} disappeared ${ATTEMPTS} times while reading the export in ${root}: is it refreshed too often?`,
        { path: missing },
      );
    }
  }
}

/** The seed's name for {@link readExportMetadata}: the metadata outside readers start from. */
export const getCDataInterface = readExportMetadata;

/** The seed's name for {@link openExport}: open the export a {@link getCDataInterface} names. */
export const accessViaCDataInterface = openExport;

function metadataPath(p: string): string {
  return path.basename(p) === EXPORT_METADATA || p.endsWith('.json') ? p : path.join(p, EXPORT_METADATA);
}
