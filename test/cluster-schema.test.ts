import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { clusterSchema, Store } from '../src/index.js';

describe('clusterSchema', () => {
  it('holds a node, a task assigned to it and its content, sharing the node and cid domains', () => {
    const store = Store.create(clusterSchema, { rowGroupSize: 64 });
    const now = 1_700_000_000_000;
    store.write((tx) => {
      tx.insert('nodes', {
        node_id: 'node-1',
        role: 'worker',
        status: 'online',
        last_heartbeat: now,
        resources: {
          cpu_count: 8,
          cpu_usage: 0.25,
          memory_total: 2 ** 34,
          memory_available: 2 ** 33,
          disk_total: 2 ** 40,
          disk_free: 2 ** 39,
          gpu_count: 1,
          gpu_available: true,
        },
        capabilities: ['gpu', 'storage'],
        peers: ['node-2'],
        tasks_assigned: 1,
      });
      tx.insert('tasks', {
        task_id: 'task-1',
        task_type: 'train',
        status: 'assigned',
        parameters: '{"epochs":3}',
        priority: 5,
        assigned_node_id: 'node-1',
        submit_time: now,
        resources: { cpu_cores: 2, gpu_cores: 1, memory_mb: 4096 },
        input_cids: ['bafy-a', 'bafy-b'],
      });
      tx.insert('content', {
        cid: 'bafy-a',
        size: 1024,
        providers: ['node-1', 'node-2'],
        pin_status: 'pinned',
        replication_factor: 2,
      });
    });
    store.read((s) => {
      expect(s.get('tasks', 'task-1')?.assigned_node_id).toBe('node-1');
      expect(s.get('content', 'bafy-a')?.providers).toEqual(['node-1', 'node-2']);
      // node-2 exists only as a peer and a provider, yet it has one code in the shared domain.
      expect(s.codeOf('node', 'node-2')).toBe(1);
      expect(s.codeOf('cid', 'bafy-b')).toBeGreaterThanOrEqual(0);
      for (const name of ['nodes', 'tasks', 'content']) {
        const back = tableFromIPC(tableToIPC(s.table(name), 'file'));
        expect(back.numRows).toBe(1);
      }
    });
    store.close();
  });
});
