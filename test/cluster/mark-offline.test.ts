import { describe, expect, it } from 'vitest';
import { liveAndReopened, T0 } from './support.js';

describe('ClusterState markOfflineNodes', () => {
  it('marks online nodes whose heartbeat is older than the limit offline', async () => {
    let result: unknown = null;
    await liveAndReopened(
      async (state, clock) => {
        clock.now = T0;
        await state.addNode({ node_id: 'old' });
        await state.addNode({ node_id: 'already-off' });
        await state.updateNode('already-off', { status: 'offline' });
        clock.now = T0 + 20_000;
        await state.addNode({ node_id: 'fresh' });
        clock.now = T0 + 31_000;
        // Cutoff T0 + 1,000: 'old' (T0) goes; 'fresh' (T0 + 20,000) stays.
        result = await state.markOfflineNodes(30_000);
      },
      async (state) => {
        expect(result).toEqual({ offline: ['old'], lostRace: [] });
        expect((await state.getNodeInfo('old'))!.status).toBe('offline');
        expect((await state.getNodeInfo('fresh'))!.status).toBe('online');
        expect((await state.getNodeInfo('already-off'))!.status).toBe('offline');
      },
    );
  });

  it('a node whose heartbeat lands between the read and the write stays online and is reported', async () => {
    let result: unknown = null;
    await liveAndReopened(
      async (state, clock) => {
        await state.addNode({ node_id: 'a' });
        await state.addNode({ node_id: 'b' });
        clock.now = T0 + 60_000;
        // The heartbeat is submitted first, but the writer applies it only in its next slice: the
        // sweep reads the old heartbeat of both nodes, and b's precondition then fails.
        const beat = state.heartbeat('b');
        const sweep = state.markOfflineNodes(30_000);
        await beat;
        result = await sweep;
      },
      async (state) => {
        expect(result).toEqual({ offline: ['a'], lostRace: ['b'] });
        expect(await state.getNodeInfo('b')).toMatchObject({ status: 'online', last_heartbeat: T0 + 60_000 });
        expect((await state.getNodeInfo('a'))!.status).toBe('offline');
      },
    );
  });
});
