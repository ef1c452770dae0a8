import type { Row } from '../../store/values.js';
import { columns } from './scan.js';
import { type StateSource, withSnapshot } from './source.js';

/** The cluster's nodes and their peer links. */
export interface NetworkTopology {
  nodes: Row[];
  /** Each undirected link once: source is the node that declares it first in storage order. */
  connections: { source: string; target: string }[];
}

const NODE_COLUMNS = ['node_id', 'peer_id', 'role', 'status', 'address'];

/**
 * The nodes (node_id, peer_id, role, status, address) and each undirected peer link between two
 * of them once, whichever side declares it (a peer that is not a node, or a node itself, is no
 * link). One loop over the nodes' raw arrays, links deduplicated by node-domain codes.
 */
export function getNetworkTopology(source: StateSource): Promise<NetworkTopology> {
  return withSnapshot(source, (s) => {
    const n = s.count('nodes');
    const nodes: Row[] = new Array(n);
    for (let i = 0; i < n; i++) nodes[i] = s.getAt('nodes', i, NODE_COLUMNS);
    const [ids, peers] = columns(s, 'nodes', ['node_id', 'peers']);
    const isNode = new Uint8Array(s.domainSize('node'));
    for (const c of ids!) for (let i = 0; i < c.length; i++) isNode[c.values[i] as number] = 1;
    const seen = new Set<number>();
    const size = isNode.length;
    const connections: { source: string; target: string }[] = [];
    for (let g = 0; g < ids!.length; g++) {
      const own = ids![g]!.values;
      const list = peers![g]!;
      const offsets = list.offsets!;
      for (let i = 0; i < list.length; i++) {
        const a = own[i] as number;
        for (let k = offsets[i]!; k < offsets[i + 1]!; k++) {
          const b = list.values[k] as number;
          if (b === a || isNode[b] === 0) continue;
          const link = a < b ? a * size + b : b * size + a;
          if (seen.has(link)) continue;
          seen.add(link);
          connections.push({ source: s.stringOf('node', a), target: s.stringOf('node', b) });
        }
      }
    }
    return { nodes, connections };
  });
}
