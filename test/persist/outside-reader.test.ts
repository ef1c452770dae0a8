import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { clusterSchema, Store } from '../../src/index.js';
import { writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

let dir = '';
afterEach(() => cleanup(dir));

// A Feather file is a plain Arrow IPC file: another process with nothing but apache-arrow reads it.
it('writes Feather files that plain apache-arrow reads in another process', () => {
  dir = tempFolder();
  const store = Store.create(clusterSchema);
  store.write((tx) => {
    for (let i = 0; i < 3; i++) {
      tx.insert('nodes', {
        node_id: `node-${i}`,
        peer_id: null,
        role: 'worker',
        address: i === 1 ? null : `10.0.0.${i}`,
        status: 'online',
        last_heartbeat: 1_767_225_600_000 + i,
        resources: {
          cpu_count: 8,
          cpu_usage: 0.5,
          memory_total: 1n << 34n,
          memory_available: 1n << 33n,
          disk_total: 1n << 40n,
          disk_free: 1n << 39n,
          gpu_count: i,
          gpu_available: i > 0,
        },
        capabilities: ['cpu', 'gpu'].slice(0, i),
        peers: [`node-${(i + 1) % 3}`],
        tasks_assigned: i,
      });
    }
  });
  const w = store.read((snap) => writeCheckpoint(dir, snap));
  const script = `
    const { tableFromIPC } = require('apache-arrow');
    const t = tableFromIPC(require('node:fs').readFileSync(process.argv[1]));
    const rows = t.toArray().map((r) => {
      const o = r.toJSON();
      return { id: o.node_id, address: o.address, role: o.role, peers: [...o.peers], mem: String(o.resources.memory_total), beat: o.last_heartbeat };
    });
    process.stdout.write(JSON.stringify({ rows: rows, fields: t.schema.fields.map((f) => f.name) }));
  `;
  const out = execFileSync(process.execPath, ['-e', script, path.join(w.path, 'nodes.arrow')], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  const got = JSON.parse(out) as { rows: Record<string, unknown>[]; fields: string[] };
  expect(got.fields).toEqual(clusterSchema.tables[0]!.columns.map((c) => c.name));
  expect(got.rows).toEqual(
    [0, 1, 2].map((i) => ({
      id: `node-${i}`,
      address: i === 1 ? null : `10.0.0.${i}`,
      role: 'worker',
      peers: [`node-${(i + 1) % 3}`],
      mem: String(1n << 34n),
      beat: 1_767_225_600_000 + i,
    })),
  );
  store.close();
});
