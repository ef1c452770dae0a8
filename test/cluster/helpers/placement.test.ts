import { describe, expect, it } from 'vitest';
import { clusterSchema, findAvailableNodeForTask, Store } from '../../../src/index.js';
import { GIB, onBoth, sourcesOfFile } from './fixture.js';

const sources = sourcesOfFile();

const place = async (id: string) =>
  (await onBoth(sources, (s) => findAvailableNodeForTask(s, id)))?.node_id ?? null;

describe('findAvailableNodeForTask, live and from the folder', () => {
  it('scores online workers that fit; ties go to the smallest node_id', async () => {
    // t5 needs 4 cores, no GPU, 1 GiB. Online workers: n2 scores 0.4 * 0.5 + 0.6 * 16/32 = 0.5;
    // n3 and n0 (stored after it, same resources) 0.4 * 0.8 + 0.6 * 12/16 = 0.77: n0 by its id.
    // n4 (offline) and n5 (a leecher) are no candidates.
    expect(await place('t5')).toBe('n0');
  });

  it('a task that needs GPUs goes to a worker with enough available GPUs', async () => {
    expect(await place('t6')).toBe('n2'); // n4 has 2 GPUs but is offline and has none available
  });

  it('null when nothing fits, or the task is not pending, or unknown', async () => {
    expect(await place('t9')).toBeNull(); // 20,000 MiB: no worker has that much free
    expect(await place('t7')).toBeNull(); // assigned
    expect(await place('t1')).toBeNull(); // completed
    expect(await place('nope')).toBeNull();
  });

  it('the returned row is the whole node row', async () => {
    const row = await onBoth(sources, (s) => findAvailableNodeForTask(s, 't6'));
    expect(row).toMatchObject({ node_id: 'n2', role: 'worker', capabilities: ['cpu', 'gpu'] });
  });

  it('memory is compared in MiB against bytes, gpu_available only when GPUs are needed, across row groups', async () => {
    const store = Store.create(clusterSchema);
    const node = (i: number, availMiB: number, usage: number, gpu: number, free: boolean) => ({
      node_id: `w${String(i).padStart(4, '0')}`,
      peer_id: null,
      role: 'worker',
      address: null,
      status: 'online',
      last_heartbeat: 0,
      resources: {
        cpu_count: 2,
        cpu_usage: usage,
        memory_total: 4 * GIB,
        memory_available: availMiB * 2 ** 20,
        disk_total: 0,
        disk_free: 0,
        gpu_count: gpu,
        gpu_available: free,
      },
      capabilities: [],
      peers: [],
      tasks_assigned: 0,
    });
    const task = (id: string, memory_mb: number, gpu_cores: number) => ({
      task_id: id,
      task_type: 'x',
      status: 'pending',
      priority: 0,
      submit_time: 0,
      resources: { cpu_cores: 1, gpu_cores, memory_mb },
      input_cids: [],
    });
    store.write((tx) => {
      // 3,000 nodes over several row groups: the best is in the last one.
      for (let i = 0; i < 3000; i++) tx.insert('nodes', node(i, 1024, 90, 0, false));
      tx.insert('nodes', node(3000, 2048, 90, 1, false)); // best memory, but its GPU is busy
      tx.insert('nodes', node(3001, 1024, 10, 0, true));
      tx.insert('tasks', task('fits', 1024, 0));
      tx.insert('tasks', task('exact', 2048, 0));
      tx.insert('tasks', task('gpu', 1, 1));
    });
    // fits: w3000 scores 0.4 * 0.1 + 0.6 * 0.5 = 0.34, w3001 0.4 * 0.9 + 0.6 * 0.25 = 0.51.
    expect((await findAvailableNodeForTask(store, 'fits'))?.node_id).toBe('w3001');
    // exact: only w3000 has 2048 MiB free (>= is enough); its GPU is not needed.
    expect((await findAvailableNodeForTask(store, 'exact'))?.node_id).toBe('w3000');
    expect(await findAvailableNodeForTask(store, 'gpu')).toBeNull();
    store.close();
  });
});
