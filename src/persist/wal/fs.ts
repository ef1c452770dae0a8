import * as nodeFs from 'node:fs';
import { StateError } from '../../errors.js';
import { isDamagedName, parseSegmentName } from './format.js';

/**
 * The file-system calls the WAL makes, all synchronous: `node:fs` by default. Tests pass a copy
 * with one call replaced to simulate a failing disk (an fdatasync that fails, a short write).
 */
export type WalFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'closeSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'fdatasyncSync'
  | 'ftruncateSync'
  | 'readFileSync'
  | 'readdirSync'
  | 'statSync'
  | 'mkdirSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'copyFileSync'
  | 'chmodSync'
>;

/** The real file system. */
export const defaultWalFs: WalFs = nodeFs;

/** Mode of every file the WAL creates: the owner reads and writes, nobody else. */
export const FILE_MODE = 0o600;
/** Mode of a folder the WAL creates. */
export const FOLDER_MODE = 0o700;

/** A segment file of a WAL folder. */
export interface SegmentEntry {
  /** The file name, `wal-<first version, 20 digits>.log`. */
  readonly name: string;
  /** The version of its first record, from its name. */
  readonly firstVersion: number;
}

/**
 * The segments of `folder`, oldest first. A WAL folder holds segments and the `.damaged` files a
 * repair set aside, nothing else: any other entry means the caller named the wrong folder, and
 * `WAL_FORMAT` says so before anything is read or written. A missing folder is `WAL_FORMAT` too.
 */
export function listSegments(folder: string, fs: WalFs = defaultWalFs): SegmentEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (err) {
    throw new StateError('WAL_FORMAT', `WAL folder ${folder} cannot be listed: ${(err as Error).message}`);
  }
  const segments: SegmentEntry[] = [];
  for (const name of names) {
    const firstVersion = parseSegmentName(name);
    if (firstVersion !== null) segments.push({ name, firstVersion });
    else if (!isDamagedName(name)) {
      throw new StateError(
        'WAL_FORMAT',
        `${folder} is not a WAL folder: it holds ${JSON.stringify(name)}, which is no WAL segment`,
        { segment: name },
      );
    }
  }
  return segments.sort((a, b) => a.firstVersion - b.firstVersion);
}

/**
 * fsyncs a folder, so that files created, renamed or removed in it stay so after a crash (a file's
 * own fsync does not make its directory entry durable).
 */
export function syncFolder(folder: string, fs: WalFs = defaultWalFs): void {
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
