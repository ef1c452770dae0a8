import { describe, expect, it } from 'vitest';
import { clusterSchema, getNetworkTopology, Store } from '../../../src/index.js';
import { onBoth, sourcesOfFile } from './fixture.js';

const sources = sourcesOfFile();

describe('getNetworkTopology, live and from the folder', () => {
  it('each undirected link once, whichever side declares it; no self-links, no links to non-nodes', async () => {
    // n1 declares n2 and n3, n2 declares n1 (again) and n3, n3 declares n1 (again) and n9 (no
    // node), n4 itself.
    const topo = await onBoth(sources, getNetworkTopology);
    expect(topo.connections).toEqual([
      { source: 'n1', target: 'n2' },
      { source: 'n1', target: 'n3' },
      { source: 'n2', target: 'n3' },
    ]);
    expect(topo.nodes.map((n) => n.node_id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n0']);
    expect(topo.nodes[0]).toEqual({
      node_id: 'n1',
      peer_id: 'peer-n1',
      role: 'master',
      status: 'online',
      address: '10.0.0.1:4001',
    });
  });

  it('a link declared only by its second node is found once', async () => {
    const store = Store.create(clusterSchema);
    const node = (id: string, peers: string[]) => ({
      node_id: id,
      role: 'worker',
      status: 'online',
      last_heartbeat: 0,
      resources: {
        cpu_count: 1,
        cpu_usage: 0,
        memory_total: 0,
        memory_available: 0,
        disk_total: 0,
        disk_free: 0,
        gpu_count: 0,
        gpu_available: false,
      },
      capabilities: [],
      peers,
      tasks_assigned: 0,
    });
    expect(await getNetworkTopology(store)).toEqual({ nodes: [], connections: [] });
    store.write((tx) => {
      tx.insert('nodes', node('a', []));
      tx.insert('nodes', node('b', ['a', 'a']));
    });
    expect((await getNetworkTopology(store)).connections).toEqual([{ source: 'b', target: 'a' }]);
    store.close();
  });
});
