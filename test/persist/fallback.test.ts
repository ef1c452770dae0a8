import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { int32, Store, schema, table, utf8 } from '../../src/index.js';
import {
  type CheckpointProblem,
  checkpointName,
  loadCheckpoint,
  restoreCheckpoint,
  writeCheckpoint,
} from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const s = schema([table('a', { n: int32() }), table('b', { text: utf8() })]);

/** Three checkpoints of 1, 2 and 3 rows per table; returns their versions, oldest first. */
function threeCheckpoints(dir: string, format: 'feather' | 'parquet'): number[] {
  const store = Store.create(s);
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    store.write((tx) => {
      tx.insert('a', { n: i });
      tx.insert('b', { text: `row ${i}` });
    });
    out.push(store.read((snap) => writeCheckpoint(dir, snap, { format })).version);
  }
  store.close();
  return out;
}

// A damaged checkpoint is passed over for the previous one, and every problem is reported.
describe.each(['feather', 'parquet'] as const)('%s checkpoints', (format) => {
  let dir = '';
  afterEach(() => cleanup(dir));
  const ext = format === 'feather' ? 'arrow' : 'parquet';

  it('fall back past a truncated file and a missing file', () => {
    dir = tempFolder();
    const [v1, v2, v3] = threeCheckpoints(dir, format);
    const truncated = path.join(dir, checkpointName(v3!), `b.${ext}`);
    fs.truncateSync(truncated, fs.statSync(truncated).size - 10);
    fs.rmSync(path.join(dir, checkpointName(v2!), `a.${ext}`));

    const seen: CheckpointProblem[] = [];
    const loaded = loadCheckpoint(dir, s, { onProblem: (p) => seen.push(p) })!;
    expect(loaded.version).toBe(v1);
    expect(loaded.tables.get('a')!.numRows).toBe(1);
    expect(seen).toEqual(loaded.problems);
    expect(seen).toEqual([
      expect.objectContaining({
        checkpoint: checkpointName(v3!),
        file: `b.${ext}`,
        code: 'CHECKPOINT_CORRUPT',
      }),
      expect.objectContaining({
        checkpoint: checkpointName(v2!),
        file: `a.${ext}`,
        code: 'CHECKPOINT_CORRUPT',
      }),
    ]);
    expect(seen[0]!.message).toContain(truncated);
    expect(seen[0]!.message).toMatch(/truncated/);
    expect(seen[1]!.message).toMatch(/missing/);

    const restored = restoreCheckpoint(dir, s)!;
    expect(restored.version).toBe(v1);
    expect(restored.problems).toHaveLength(2);
    restored.store.close();
  });

  it('fall back past a file whose bytes changed, and return null when none is valid', () => {
    dir = tempFolder();
    const [, , v3] = threeCheckpoints(dir, format);
    const p = path.join(dir, checkpointName(v3!), `a.${ext}`);
    const bytes = fs.readFileSync(p);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(p, bytes);
    expect(loadCheckpoint(dir, s)!.version).toBe(v3! - 1);
    // Damage the rest: nothing valid is left, and each is reported.
    for (const name of fs.readdirSync(dir).filter((n) => n.startsWith('checkpoint-'))) {
      fs.writeFileSync(path.join(dir, name, 'checkpoint.json'), '{"formatVersion": 1');
    }
    const problems: CheckpointProblem[] = [];
    expect(loadCheckpoint(dir, s, { onProblem: (x) => problems.push(x) })).toBeNull();
    expect(problems.map((x) => x.file)).toEqual(['checkpoint.json', 'checkpoint.json', 'checkpoint.json']);
    expect(loadCheckpoint(path.join(dir, 'nothing-here'), s)).toBeNull();
  });
});
