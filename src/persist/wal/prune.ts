import { join } from 'node:path';
import { defaultWalFs, listSegments, syncFolder, type WalFs } from './fs.js';

/**
 * Removes the segments of `folder` whose records are all older than `beforeVersion` (the oldest
 * kept checkpoint's version plus one: replay starts after that checkpoint) and returns their names.
 * Segment k holds versions from its name's up to the next segment's first version minus one, so it
 * goes when the next segment starts at or before `beforeVersion`. The newest segment always stays:
 * it is the one the writer appends to, and the only one whose end is not known from a name. The
 * folder is fsynced after the removals. `*.damaged` files are left for a person to look at.
 */
export function pruneWal(folder: string, beforeVersion: number, fs: WalFs = defaultWalFs): string[] {
  const segments = listSegments(folder, fs);
  const removed: string[] = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i + 1]!.firstVersion > beforeVersion) break;
    fs.unlinkSync(join(folder, segments[i]!.name));
    removed.push(segments[i]!.name);
  }
  if (removed.length > 0) syncFolder(folder, fs);
  return removed;
}
