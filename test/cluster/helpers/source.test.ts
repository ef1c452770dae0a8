import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batch,
  clusterSchema,
  connectToStateStore,
  folderLoads,
  getClusterMetadata,
  getNodeById,
  getStatePathFromMetadata,
  type Snapshot,
  StateRuntime,
} from '../../../src/index.js';
import { fill, liveStore, META, NODES, removeFolders, stateFolder, tempFolder } from './fixture.js';

afterEach(removeFolders);

const newNode = { ...NODES[0]!, node_id: 'n7', role: 'worker' };

describe('state sources', () => {
  it('a folder is read once while unchanged; a checkpoint or a log record makes the next call read it again', async () => {
    const folder = await stateFolder();
    const before = folderLoads();
    expect((await getClusterMetadata(folder)).node_count).toBe(6);
    expect(folderLoads()).toBe(before + 1);
    // Unchanged: the cached state, whatever helper reads it.
    expect(await getNodeById(folder, 'n2')).toMatchObject({ node_id: 'n2' });
    expect((await getClusterMetadata(folder)).node_count).toBe(6);
    expect(folderLoads()).toBe(before + 1);

    // A writer that reopens the folder and closes it (a new checkpoint, a new manifest).
    const rt = await StateRuntime.start(clusterSchema, { persistPath: folder, writer: 'inline' });
    expect((await getClusterMetadata(folder)).node_count).toBe(6); // recovery changed nothing yet
    await rt.submit(batch().insert('nodes', newNode), { policy: 'durable' });
    // A record in the log, the writer still running (a reader takes no lock).
    expect((await getClusterMetadata(folder)).node_count).toBe(7);
    const loads = folderLoads();
    expect(await getNodeById(folder, 'n7')).toMatchObject({ role: 'worker' });
    expect(folderLoads()).toBe(loads);
    await rt.close();
    expect((await getClusterMetadata(folder)).node_count).toBe(7);
    expect(folderLoads()).toBe(loads + 1); // the final checkpoint replaced the manifest
  });

  it('a folder without state rejects with a StateError; so does a path that does not exist', async () => {
    const empty = tempFolder();
    await expect(getClusterMetadata(empty)).rejects.toMatchObject({ name: 'StateError', code: 'PERSIST_IO' });
    await expect(getNodeById(join(empty, 'missing'), 'n1')).rejects.toMatchObject({ code: 'PERSIST_IO' });
    // A seed's folder (only state_metadata.json) is found, but holds nothing this code reads.
    writeFileSync(join(empty, 'state_metadata.json'), '{}');
    await expect(getClusterMetadata(empty)).rejects.toMatchObject({ code: 'PERSIST_IO' });
  });

  it('a string source may name the folder above the state (its cluster_state subfolder)', async () => {
    const folder = await stateFolder();
    const base = tempFolder();
    renameSync(folder, join(base, 'cluster_state'));
    expect(await getClusterMetadata(base)).toMatchObject({ ...META, node_count: 6 });
  });

  it('a live source: one snapshot per call, released; a caller snapshot is read, not released', async () => {
    const store = liveStore();
    const taken: Snapshot[] = [];
    const live = {
      snapshot: () => {
        const s = store.snapshot();
        taken.push(s);
        return s;
      },
    };
    expect((await getClusterMetadata(live)).task_count).toBe(10);
    expect(taken).toHaveLength(1);
    expect(taken[0]!.released).toBe(true);
    await expect(getClusterMetadata(42 as never)).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
    store.close();
  });

  it('a StateRuntime is a live source', async () => {
    const rt = await StateRuntime.start(clusterSchema, { writer: 'inline' });
    rt.write(fill);
    expect(await getClusterMetadata(rt)).toMatchObject({ ...META, node_count: 6 });
    await rt.close();
  });

  it('getStatePathFromMetadata: baseDir, its subfolders, then the home folders, then the system one', async () => {
    const home = tempFolder();
    const base = tempFolder();
    const none = { home, system: [] };
    expect(await getStatePathFromMetadata(base, none)).toBeNull();
    expect(await getStatePathFromMetadata(undefined, none)).toBeNull();
    expect(await connectToStateStore(base, none)).toBeNull();

    // The seed's metadata file marks a state folder too.
    mkdirSync(join(home, '.ipfs_cluster_state'));
    writeFileSync(join(home, '.ipfs_cluster_state', 'state_metadata.json'), '{}');
    expect(await getStatePathFromMetadata(base, none)).toBe(join(home, '.ipfs_cluster_state'));
    mkdirSync(join(home, '.ipfs'));
    renameSync(await stateFolder(), join(home, '.ipfs', 'cluster_state'));
    expect(await getStatePathFromMetadata(undefined, none)).toBe(join(home, '.ipfs', 'cluster_state'));
    renameSync(await stateFolder(), join(base, '.ipfs_cluster_state'));
    expect(await getStatePathFromMetadata(base, none)).toBe(join(base, '.ipfs_cluster_state'));
    renameSync(await stateFolder(), join(base, 'cluster_state'));
    expect(await getStatePathFromMetadata(base, none)).toBe(join(base, 'cluster_state'));

    const connected = await connectToStateStore(base, none);
    expect(connected).toMatchObject({ state_path: join(base, 'cluster_state'), metadata: META });
    expect(connected!.version).toBeGreaterThan(1);
    const system = tempFolder();
    writeFileSync(join(system, 'manifest.json'), '{}');
    expect(await getStatePathFromMetadata(undefined, { home: tempFolder(), system: [system] })).toBe(system);
  });
});
