import { describe, expect, it } from 'vitest';
import {
  clusterSchema,
  findContentByCid,
  findContentByProvider,
  findOrphanedContent,
  getAllContent,
  getContentAvailabilityMap,
  Store,
} from '../../../src/index.js';
import { GIB, onBoth, sourcesOfFile } from './fixture.js';

const sources = sourcesOfFile();

const cids = (rows: { cid?: unknown }[]) => rows.map((r) => r.cid);

describe('content helpers, live and from the folder', () => {
  it('getAllContent and findContentByCid', async () => {
    expect(cids(await onBoth(sources, getAllContent))).toEqual([
      'cidA',
      'cidB',
      'cidC',
      'cidE',
      'cidG',
      'cidH',
    ]);
    const b = await onBoth(sources, (s) => findContentByCid(s, 'cidB'));
    expect(b).toMatchObject({ cid: 'cidB', providers: ['n2', 'n3'], pin_status: 'pinned' });
    expect(Number(b?.size)).toBe(2 * GIB);
    expect(await onBoth(sources, (s) => findContentByCid(s, 'cidZ'))).toBeNull();
  });

  it('findContentByProvider', async () => {
    expect(cids(await onBoth(sources, (s) => findContentByProvider(s, 'n3')))).toEqual(['cidB', 'cidE']);
    expect(await onBoth(sources, (s) => findContentByProvider(s, 'n4'))).toEqual([]);
  });

  it('getContentAvailabilityMap: { cid: providers }', async () => {
    expect(await onBoth(sources, getContentAvailabilityMap)).toEqual({
      cidA: ['n2'],
      cidB: ['n2', 'n3'],
      cidC: [],
      cidE: ['n3'],
      cidG: ['n5'],
      cidH: ['n1'],
    });
  });

  it('findOrphanedContent: referenced by no input_cids and by no completed task result', async () => {
    // cidA, cidC: results of completed t1 and t2; cidB: input of t1; cidH: input of cancelled t8
    // (any task's input counts); cidG is only the result of failed t4; cidE is referenced nowhere.
    expect(cids(await onBoth(sources, findOrphanedContent))).toEqual(['cidE', 'cidG']);
  });

  it('an empty state: [] and {}', async () => {
    const store = Store.create(clusterSchema);
    expect(await findOrphanedContent(store)).toEqual([]);
    expect(await getAllContent(store)).toEqual([]);
    expect(await getContentAvailabilityMap(store)).toEqual({});
    // Content but no tasks: all of it is orphaned.
    store.write((tx) =>
      tx.insert('content', { cid: 'c', size: 1, providers: [], pin_status: 'pinned', replication_factor: 1 }),
    );
    expect(cids(await findOrphanedContent(store))).toEqual(['c']);
    store.close();
  });
});
