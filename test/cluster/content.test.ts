import { describe, expect, it } from 'vitest';
import { liveAndReopened, rejects, T0 } from './support.js';

describe('ClusterState content', () => {
  it('addContent fills defaults; updateContent, providers and removeContent change what they say', async () => {
    const results: boolean[] = [];
    await liveAndReopened(
      async (state, clock) => {
        clock.now = T0 + 1;
        await state.addContent({ cid: 'bafy-a', size: 2 ** 45 });
        await state.addContent({
          cid: 'bafy-b',
          size: 1024,
          providers: ['n1'],
          pin_status: 'pinning',
          replication_factor: 3,
        });
        await state.addContent({ cid: 'bafy-gone', size: 1 });
        clock.now = T0 + 2;
        results.push(await state.addProvider('bafy-a', 'n1'));
        results.push(await state.addProvider('bafy-a', 'n2'));
        results.push(await state.addProvider('bafy-a', 'n1')); // already there
        results.push(await state.removeProvider('bafy-a', 'n1'));
        results.push(await state.removeProvider('bafy-a', 'n9')); // not a provider
        clock.now = T0 + 3;
        await state.updateContent('bafy-b', { pin_status: 'pinned', size: 2048, last_access_time: T0 + 3 });
        await state.removeContent('bafy-gone');
      },
      async (state) => {
        expect(results).toEqual([true, true, false, true, false]);
        expect(await state.getContentInfo('bafy-a')).toEqual({
          cid: 'bafy-a',
          size: 35184372088832,
          providers: ['n2'],
          pin_status: 'pinned',
          replication_factor: 1,
          last_access_time: null,
          pinned_at: T0 + 1,
        });
        expect(await state.getContentInfo('bafy-b')).toEqual({
          cid: 'bafy-b',
          size: 2048,
          providers: ['n1'],
          pin_status: 'pinned',
          replication_factor: 3,
          last_access_time: T0 + 3,
          pinned_at: T0 + 3,
        });
        expect(await state.getContentInfo('bafy-gone')).toBeNull();
      },
    );
  });

  it('refuses unknown and duplicate cids, bad pin statuses, negative and unsafe sizes, unchanged', async () => {
    await liveAndReopened(
      async (state) => {
        await state.addContent({ cid: 'bafy-a', size: 10 });
      },
      async (state) => {
        const v = state.client.version;
        await rejects(state.addContent({ cid: 'bafy-a', size: 1 }), 'DUPLICATE_KEY', { table: 'content' });
        await rejects(state.addContent({ cid: 'x', size: -1 }), 'INVALID_ARGUMENT', { column: 'size' });
        await rejects(state.addContent({ cid: 'x', size: 2 ** 53 }), 'OUT_OF_RANGE', {
          table: 'content',
          column: 'size',
        });
        await rejects(state.addContent({ cid: 'x', size: '1' as unknown as number }), 'TYPE_MISMATCH');
        await rejects(state.addContent({ cid: 'x' } as never), 'NULL_NOT_ALLOWED', { column: 'size' });
        await rejects(
          state.addContent({ cid: 'x', size: 1, pin_status: 'lost' as never }),
          'INVALID_ARGUMENT',
          {
            column: 'pin_status',
          },
        );
        await rejects(state.updateContent('nope', { size: 1 }), 'KEY_NOT_FOUND');
        await rejects(state.updateContent('bafy-a', { size: -3 }), 'INVALID_ARGUMENT');
        await rejects(state.updateContent('bafy-a', { cid: 'b' } as never), 'INVALID_ARGUMENT', {
          column: 'cid',
        });
        await rejects(state.removeContent('nope'), 'KEY_NOT_FOUND');
        await rejects(state.addProvider('nope', 'n1'), 'KEY_NOT_FOUND', { table: 'content', key: 'nope' });
        await rejects(state.removeProvider('nope', 'n1'), 'KEY_NOT_FOUND');
        await rejects(state.addProvider('bafy-a', ''), 'INVALID_ARGUMENT');
        expect(state.client.version).toBe(v);
        expect((await state.getContentInfo('bafy-a'))!.size).toBe(10);
      },
    );
  });
});
