import { describe, expect, it } from 'vitest';
import { batch, ClusterState, readClusterMetadata } from '../../src/index.js';
import { liveAndReopened, openIn, rejects, removeFolder, T0, tempFolder, testClock } from './support.js';

describe('ClusterState metadata, snapshots and updateState', () => {
  it('keeps cluster_id, master_id, schema_version and updated_at in the store metadata', async () => {
    await liveAndReopened(
      async (state, clock) => {
        clock.now = T0 + 42;
        await state.addNode({ node_id: 'n1' });
        // The checkpoint holds the metadata too (the folder is read back below without the log).
        await state.checkpoint();
      },
      async (state, clock, phase) => {
        const meta = await state.getMetadata();
        expect(meta).toMatchObject({ cluster_id: 'cluster-1', master_id: 'master-1', schema_version: 1 });
        // Opening stamps updated_at with the clock; the last change before it was at T0 + 42.
        expect(meta.updated_at).toBe(clock.now);
        expect(meta.state_version).toBe(state.client.version);
        if (phase === 'live') expect(clock.now).toBe(T0 + 42);
      },
    );
  });

  it('refuses to open a folder of another cluster', async () => {
    const dir = tempFolder();
    try {
      const state = await openIn(dir, testClock());
      await state.close();
      await rejects(openIn(dir, testClock(), { clusterId: 'cluster-2' }), 'INVALID_OPTION');
      // The refused open released the folder: the right cluster opens it again.
      const again = await openIn(dir, testClock());
      await again.close();
      await rejects(ClusterState.open({ clusterId: '', nodeId: 'x' }), 'INVALID_OPTION');
    } finally {
      removeFolder(dir);
    }
  });

  it('getState/snapshot pin a version with Arrow tables; updateState retries and stamps updated_at', async () => {
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'n1', resources: { memory_total: 2 ** 40 } });
        await state.addNode({ node_id: 'n2', resources: { memory_total: 2 ** 41 } });
        clock.now = T0 + 500;
        // Set n2's address from n1's memory, read and required: the seed's escape hatch.
        await state.updateState((s) => {
          const mem = (s.get('nodes', 'n1')!.resources as { memory_total: number }).memory_total;
          return batch()
            .require('nodes', 'n1', { column: 'resources.memory_total', equals: mem })
            .update('nodes', 'n2', { address: `mem-${mem / 2 ** 30}` });
        });
      },
      async (state) => {
        expect((await state.getNodeInfo('n2'))!.address).toBe('mem-1024');
        const snap = state.getState();
        try {
          expect(snap.table('nodes').numRows).toBe(2);
          expect(snap.table('tasks').numRows).toBe(0);
          const mem = snap.table('nodes').getChild('resources')!.getChild('memory_total')!;
          expect(mem.toArray()).toEqual(new BigInt64Array([2n ** 40n, 2n ** 41n]));
          expect(readClusterMetadata(snap).state_version).toBe(snap.version);
        } finally {
          snap.release();
        }
        const s2 = state.snapshot();
        expect(s2.released).toBe(false);
        s2.release();
      },
    );
  });

  it('lives in memory without persistPath; checkpoint() is then refused', async () => {
    const state = await ClusterState.open({
      clusterId: 'c',
      nodeId: 'm',
      writer: 'inline',
      readers: 0,
      clock: () => 9,
    });
    try {
      await state.addNode({ node_id: 'n1' });
      expect(await state.getMetadata()).toMatchObject({ cluster_id: 'c', master_id: 'm', updated_at: 9 });
      await rejects(state.checkpoint(), 'INVALID_OPTION');
    } finally {
      await state.close();
    }
  });

  it('updateState stamps updated_at from the clock', async () => {
    const dir = tempFolder();
    const clock = testClock();
    const state = await openIn(dir, clock);
    try {
      await state.addNode({ node_id: 'n1' });
      clock.now = T0 + 777;
      await state.updateState(() => batch().update('nodes', 'n1', { address: 'a' }));
      expect((await state.getMetadata()).updated_at).toBe(T0 + 777);
      expect(await state.updateState(() => null)).toBe(state.client.version);
    } finally {
      await state.close();
      removeFolder(dir);
    }
  });
});
