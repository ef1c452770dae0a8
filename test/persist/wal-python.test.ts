// Another language reads the WAL: Python with code that flatc generates from src/codec/mutation.fbs
// (read_wal.py beside this file) walks the segments WalWriter wrote, checks each record's header and
// CRC (zlib.crc32), decodes each FlatBuffers batch and prints what the TS side wrote.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterEach, expect, it } from 'vitest';
import { type Batch, batch, encodeBatch } from '../../src/index.js';
import { WalWriter } from '../../src/persist/wal/index.js';
import { cleanup, tempFolder } from './support.js';

const flatc = spawnSync('flatc', ['--version']).status === 0;
// Debian's python3-flatbuffers serves Debian's python3: a python3 earlier on PATH (pyenv, a venv)
// may not see it, so the first of these that imports flatbuffers is used.
const python = ['python3', '/usr/bin/python3'].find(
  (exe) => spawnSync(exe, ['-c', 'import flatbuffers']).status === 0,
);
const ci = process.env.CI === 'true';

let dir = '';
afterEach(() => cleanup(dir));

const batches: Batch[] = [
  batch()
    .insert('nodes', { node_id: 'node-1', role: 'worker', status: 'online' })
    .upsert('nodes', { node_id: 'node-2', status: 'offline' })
    .build({ producer: 'client-7', seq: 41 }),
  batch()
    .update('tasks', 'task-1', { status: 'running', assigned_node_id: 'node-1' })
    .increment('nodes', 'node-1', 'tasks_assigned', 1)
    .listAdd('nodes', 'node-1', 'capabilities', 'gpu')
    .delete('nodes', 'node-2')
    .build(),
  batch()
    .require('jobs', 12, { column: 'state', equals: 'done' })
    .deleteAt('jobs', 3)
    .setMeta('leader', 'node-1')
    .build(),
  { effects: [], marker: 'compaction' },
  batch()
    .load('tasks', tableFromArrays({ task_id: ['task-9', 'task-10'] }))
    .updateAt('jobs', 0, { state: 'queued' })
    .build(),
];

const opName = (op: string) => op[0]!.toUpperCase() + op.slice(1);

// CI installs flatc and python3-flatbuffers (.ci/run): there a missing one fails the test.
// Elsewhere it is skipped without them.
it.skipIf(!(flatc && python !== undefined) && !ci)('python3 decodes the WAL with flatc --python code', () => {
  if (!flatc || python === undefined) {
    expect.fail(
      "flatc or Python's flatbuffers module is missing under CI: apt-get install flatbuffers-compiler python3-flatbuffers, as .ci/run does",
    );
  }
  dir = tempFolder();
  const wal = path.join(dir, 'wal');
  const gen = path.join(dir, 'gen');
  execFileSync('flatc', ['--python', '-o', gen, 'src/codec/mutation.fbs']);
  // Small segments: the records span several files.
  const writer = WalWriter.open(wal, { segmentBytes: 512 });
  for (const [i, b] of batches.entries()) writer.append(i + 1, encodeBatch(b, i + 1));
  writer.close();
  expect(fs.readdirSync(wal).length).toBeGreaterThan(1);

  const out = execFileSync(python, [path.join(import.meta.dirname, 'read_wal.py'), wal, gen], {
    encoding: 'utf8',
  });
  const got = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(got).toEqual(
    batches.map((b, i) => ({
      version: i + 1,
      batchVersion: i + 1,
      ops: b.effects.map((e) => opName(e.op)),
      tables: b.effects.map((e) => ('table' in e ? e.table : '')),
      keys: b.effects.map((e) => (e.op !== 'setMeta' && 'key' in e ? e.key : null)),
      columns: b.effects.map((e) =>
        'values' in e
          ? Object.keys(e.values)
          : 'row' in e && typeof e.row === 'object'
            ? Object.keys(e.row)
            : [],
      ),
      producer: b.producer ?? null,
      seq: b.seq ?? null,
      marker: b.marker === 'compaction' ? 'Compaction' : 'None',
    })),
  );

  // A flipped payload bit fails the CRC on the Python side too.
  const first = path.join(wal, fs.readdirSync(wal).sort()[0]!);
  const bytes = fs.readFileSync(first);
  bytes[16 + 24 + 5]! ^= 1;
  fs.writeFileSync(first, bytes);
  const bad = spawnSync(python, [path.join(import.meta.dirname, 'read_wal.py'), wal, gen], {
    encoding: 'utf8',
  });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/CRC mismatch/);
});
