import { compareStrings } from '../../store/compare.js';
import type { Row } from '../../store/values.js';
import { num } from './rows.js';
import { at64, bit, columns, halves } from './scan.js';
import { type StateSource, withSnapshot } from './source.js';

const MIB = 2 ** 20;

/**
 * The node to run `taskId` on, as its row; null unless the task exists and is pending, or when no
 * node fits. Candidates are online workers with cpu_count >= cpu_cores, gpu_count >= gpu_cores
 * (and gpu_available when the task needs GPUs), memory_available >= memory_mb MiB. Each scores
 * 0.4 * (1 - cpu_usage / 100) + 0.6 * memory_available / max(memory_total, 1); the highest wins,
 * ties to the smallest node_id. One loop over the nodes' raw arrays.
 */
export function findAvailableNodeForTask(source: StateSource, taskId: string): Promise<Row | null> {
  return withSnapshot(source, (s) => {
    const task = s.get('tasks', taskId, ['status', 'resources']);
    if (task === null || task.status !== 'pending') return null;
    const need = task.resources as Record<string, unknown>;
    const cpu = num(need.cpu_cores);
    const gpu = num(need.gpu_cores);
    const memory = num(need.memory_mb) * MIB;
    const worker = s.codeOf('node_role', 'worker');
    const online = s.codeOf('node_status', 'online');
    if (worker < 0 || online < 0) return null;
    const [ids, role, status, cpuCount, cpuUsage, memTotal, memAvail, gpuCount, gpuAvail] = columns(
      s,
      'nodes',
      [
        'node_id',
        'role',
        'status',
        'resources.cpu_count',
        'resources.cpu_usage',
        'resources.memory_total',
        'resources.memory_available',
        'resources.gpu_count',
        'resources.gpu_available',
      ],
    );
    const groupSize = s.rowGroupSize('nodes');
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestId = '';
    for (let g = 0; g < ids!.length; g++) {
      const roles = role![g]!.values;
      const statuses = status![g]!.values;
      const cpus = cpuCount![g]!.values;
      const usage = cpuUsage![g]!.values;
      const gpus = gpuCount![g]!.values;
      const gpuOk = gpuAvail![g]!;
      const total = halves(memTotal![g]!);
      const avail = halves(memAvail![g]!);
      const length = ids![g]!.length;
      for (let i = 0; i < length; i++) {
        if (roles[i] !== worker || statuses[i] !== online) continue;
        if ((cpus[i] as number) < cpu || (gpus[i] as number) < gpu) continue;
        if (gpu > 0 && !bit(gpuOk, i)) continue;
        const available = at64(avail, i);
        if (available < memory) continue;
        const score =
          0.4 * (1 - (usage[i] as number) / 100) + 0.6 * (available / Math.max(at64(total, i), 1));
        if (score < bestScore) continue;
        const id = s.stringOf('node', ids![g]!.values[i] as number);
        if (score === bestScore && compareStrings(id, bestId) >= 0) continue;
        best = g * groupSize + i;
        bestScore = score;
        bestId = id;
      }
    }
    return best < 0 ? null : s.getAt('nodes', best);
  });
}
