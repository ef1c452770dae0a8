import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { int64Json } from '../../../src/cluster/helpers/export-json.js';
import { exportStateToJson } from '../../../src/index.js';
import { GIB, META, sourcesOfFile, T, tempFolder } from './fixture.js';

const sources = sourcesOfFile();

describe('exportStateToJson', () => {
  it('valid JSON: ISO timestamps, int64 as numbers; the same from the folder', async () => {
    const out = tempFolder();
    const live = await exportStateToJson(sources.live, join(out, 'live.json'));
    const disk = await exportStateToJson(sources.folder, join(out, 'disk.json'));
    expect(live).toMatchObject({ nodes: 6, tasks: 10, content: 6 });
    const a = JSON.parse(readFileSync(live.path, 'utf8'));
    const b = JSON.parse(readFileSync(disk.path, 'utf8'));
    expect(b).toEqual(a);
    expect(a.metadata).toEqual({ ...META, updated_at: new Date(META.updated_at).toISOString() });
    expect(a.nodes[1].resources).toMatchObject({
      memory_total: 32 * GIB,
      gpu_available: true,
      cpu_usage: 50,
    });
    expect(a.nodes[1].last_heartbeat).toBe('2026-01-01T00:00:00.000Z');
    expect(a.tasks[0]).toMatchObject({
      task_id: 't1',
      start_time: new Date(T + 1000).toISOString(),
      end_time: '2026-01-01T00:00:11.000Z',
      resources: { cpu_cores: 1, gpu_cores: 0, memory_mb: 256 },
      input_cids: ['cidB'],
    });
    expect(a.tasks[9].start_time).toBeNull();
    expect(a.content[2]).toMatchObject({ cid: 'cidC', size: GIB / 2, pinned_at: null });
  });

  it('64-bit integers beyond 2^53 as strings', () => {
    expect(int64Json(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(int64Json(2n ** 53n + 1n)).toBe('9007199254740993');
    expect(int64Json(-(2n ** 60n))).toBe('-1152921504606846976');
    expect(int64Json(12)).toBe(12);
  });

  it('a folder without state rejects and writes nothing', async () => {
    const out = tempFolder();
    await expect(exportStateToJson(out, join(out, 'x.json'))).rejects.toMatchObject({ code: 'PERSIST_IO' });
  });
});
