import { StateError } from '../errors.js';
import type { CheckpointSummary } from '../persist/checkpointer.js';
import type { Durability } from '../persist/options.js';
import {
  attach as attachClient,
  type RuntimeHandle,
  type StateClient,
  type UpdateOptions,
  type UpdateResult,
} from '../runtime/client.js';
import { type RuntimeOptions, StateRuntime } from '../runtime/runtime.js';
import { BatchBuilder, batch } from '../store/effects.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Row } from '../store/values.js';
import {
  addContent,
  type ContentInput,
  type ContentUpdate,
  changeProvider,
  removeContent,
  updateContent,
} from './content.js';
import { type ClusterContext, META } from './context.js';
import { CLUSTER_SCHEMA_VERSION, checkId, type NodeResources } from './defaults.js';
import { type ClusterMetadata, readClusterMetadata } from './metadata.js';
import {
  addNode,
  heartbeat,
  markOfflineNodes,
  type NodeInput,
  type OfflineResult,
  removeNode,
  updateNode,
} from './nodes.js';
import { purgeFinishedTasks } from './purge.js';
import { clusterSchema } from './schema.js';
import {
  addTask,
  addTasks,
  assignTask,
  cancelTask,
  completeTask,
  failTask,
  startTask,
  type TaskInput,
  type TaskUpdate,
  updateTask,
} from './tasks.js';

/** Options of {@link ClusterState.open}. */
export interface ClusterStateOptions {
  /** The cluster's id, stored in the metadata; a folder of another cluster is refused. */
  clusterId: string;
  /** This node's id: the master (it holds the writer). */
  nodeId: string;
  /** A persistence folder: the state is recovered from it and kept there (see docs/durability.md). */
  persistPath?: string;
  persistFormat?: 'feather' | 'parquet';
  persistIntervalSeconds?: number;
  durability?: Durability;
  /** Where the writer runs (the runtime's option; default `worker`). */
  writer?: 'worker' | 'inline';
  /** Reader pool threads (the runtime's option). */
  readers?: number;
  /** Milliseconds since the epoch (default `Date.now`): every time the facade sets. */
  clock?: () => number;
  /** Purge finished tasks older than `olderThanMs` every `intervalMs`, in the writer's facade. */
  purgeFinishedTasks?: { olderThanMs: number; intervalMs: number };
  /** Further runtime options (arena size, row groups...), passed through. */
  runtime?: Omit<
    RuntimeOptions,
    'persistPath' | 'persistFormat' | 'persistIntervalSeconds' | 'durability' | 'writer' | 'readers'
  >;
}

/** A structured-clonable handle: post it to a worker and `ClusterState.attach(handle)` there. */
export interface ClusterStateHandle {
  readonly kind: 'acs-cluster';
  readonly runtime: RuntimeHandle;
  readonly clusterId: string;
  readonly nodeId: string;
}

/**
 * The cluster model over a `StateRuntime` on `clusterSchema` (docs/cluster.md): nodes, tasks and
 * content with the seed's defaults, task transitions as single batches with preconditions, reads of
 * pinned snapshots. `open` starts the runtime (the writer); `attach(handle)` gives the same facade in
 * any other thread.
 */
export class ClusterState {
  readonly clusterId: string;
  readonly nodeId: string;
  readonly #client: StateClient;
  readonly #runtime: StateRuntime | null;
  readonly #runtimeHandle: RuntimeHandle;
  readonly #ctx: ClusterContext;
  #purgeTimer: NodeJS.Timeout | null = null;
  #closed: Promise<void> | null = null;

  private constructor(
    clusterId: string,
    nodeId: string,
    client: StateClient,
    runtime: StateRuntime | null,
    runtimeHandle: RuntimeHandle,
    clock: () => number,
  ) {
    this.#runtimeHandle = runtimeHandle;
    this.clusterId = clusterId;
    this.nodeId = nodeId;
    this.#client = client;
    this.#runtime = runtime;
    this.#ctx = { client, now: clock };
  }

  /** Starts the runtime on `clusterSchema` (recovering `persistPath` when given) and records the metadata. */
  static async open(options: ClusterStateOptions): Promise<ClusterState> {
    if (options === null || typeof options !== 'object')
      throw new StateError('INVALID_OPTION', 'ClusterState.open takes options');
    const { clusterId, nodeId } = options;
    for (const [name, v] of [
      ['clusterId', clusterId],
      ['nodeId', nodeId],
    ] as const) {
      if (typeof v !== 'string' || v === '')
        throw new StateError('INVALID_OPTION', `option ${name} must be a non-empty string`);
    }
    const clock = checkClock(options.clock);
    const purge = options.purgeFinishedTasks;
    if (purge !== undefined && !(purge.intervalMs > 0 && purge.olderThanMs >= 0)) {
      throw new StateError(
        'INVALID_OPTION',
        'option purgeFinishedTasks needs intervalMs > 0 and olderThanMs >= 0',
      );
    }
    const runtime = await StateRuntime.start(clusterSchema, {
      ...options.runtime,
      persistPath: options.persistPath,
      persistFormat: options.persistFormat,
      persistIntervalSeconds: options.persistIntervalSeconds,
      durability: options.durability,
      writer: options.writer,
      readers: options.readers,
    });
    try {
      const stored = runtime.read((s) => s.meta(META.clusterId));
      if (stored !== undefined && stored !== clusterId) {
        throw new StateError(
          'INVALID_OPTION',
          `the state holds cluster ${JSON.stringify(stored)}, not ${JSON.stringify(clusterId)}`,
          { path: options.persistPath },
        );
      }
      await runtime.submit(
        batch()
          .setMeta(META.clusterId, clusterId)
          .setMeta(META.masterId, nodeId)
          .setMeta(META.schemaVersion, CLUSTER_SCHEMA_VERSION)
          .setMeta(META.updatedAt, clock()),
      );
    } catch (err) {
      await runtime.close();
      throw err;
    }
    const state = new ClusterState(clusterId, nodeId, runtime.client, runtime, runtime.handle(), clock);
    if (purge !== undefined) state.#startPurge(purge.olderThanMs, purge.intervalMs);
    return state;
  }

  /** The same facade in this thread, from another's `handle()`; `clock` is this thread's. */
  static async attach(
    handle: ClusterStateHandle,
    options: { clock?: () => number } = {},
  ): Promise<ClusterState> {
    if (handle?.kind !== 'acs-cluster') throw new StateError('INVALID_HANDLE', 'not a ClusterState handle');
    const client = await attachClient(handle.runtime);
    return new ClusterState(
      handle.clusterId,
      handle.nodeId,
      client,
      null,
      handle.runtime,
      checkClock(options.clock),
    );
  }

  /** A handle to post to a worker thread. */
  handle(): ClusterStateHandle {
    return {
      kind: 'acs-cluster',
      runtime: this.#runtimeHandle,
      clusterId: this.clusterId,
      nodeId: this.nodeId,
    };
  }

  /** The runtime (in the facade that opened the state; null in an attached one). */
  get runtime(): StateRuntime | null {
    return this.#runtime;
  }

  /** This thread's client of the runtime. */
  get client(): StateClient {
    return this.#client;
  }

  // Nodes.
  addNode(node: NodeInput): Promise<number> {
    return addNode(this.#ctx, node);
  }
  updateNode(nodeId: string, changes: Partial<NodeInput>): Promise<number> {
    return updateNode(this.#ctx, nodeId, changes);
  }
  removeNode(nodeId: string, options?: { returnTasks?: boolean }): Promise<number> {
    return removeNode(this.#ctx, nodeId, options);
  }
  heartbeat(nodeId: string, resources?: Partial<NodeResources>): Promise<number> {
    return heartbeat(this.#ctx, nodeId, resources);
  }
  markOfflineNodes(olderThanMs: number): Promise<OfflineResult> {
    return markOfflineNodes(this.#ctx, olderThanMs);
  }

  // Tasks.
  addTask(task: TaskInput): Promise<number> {
    return addTask(this.#ctx, task);
  }
  addTasks(tasks: readonly TaskInput[]): Promise<number> {
    return addTasks(this.#ctx, tasks);
  }
  updateTask(taskId: string, changes: TaskUpdate): Promise<number> {
    return updateTask(this.#ctx, taskId, changes);
  }
  assignTask(taskId: string, nodeId: string): Promise<number> {
    return assignTask(this.#ctx, taskId, nodeId);
  }
  startTask(taskId: string): Promise<number> {
    return startTask(this.#ctx, taskId);
  }
  completeTask(taskId: string, options?: { result_cid?: string | null }): Promise<number> {
    return completeTask(this.#ctx, taskId, options);
  }
  failTask(taskId: string, message: string): Promise<number> {
    return failTask(this.#ctx, taskId, message);
  }
  cancelTask(taskId: string): Promise<number> {
    return cancelTask(this.#ctx, taskId);
  }
  purgeFinishedTasks(options: { olderThanMs: number }): Promise<string[]> {
    return purgeFinishedTasks(this.#ctx, options);
  }

  // Content.
  addContent(content: ContentInput): Promise<number> {
    return addContent(this.#ctx, content);
  }
  updateContent(cid: string, changes: ContentUpdate): Promise<number> {
    return updateContent(this.#ctx, cid, changes);
  }
  removeContent(cid: string): Promise<number> {
    return removeContent(this.#ctx, cid);
  }
  addProvider(cid: string, nodeId: string): Promise<boolean> {
    return changeProvider(this.#ctx, cid, nodeId, true);
  }
  removeProvider(cid: string, nodeId: string): Promise<boolean> {
    return changeProvider(this.#ctx, cid, nodeId, false);
  }

  // Reads.
  /** The node's row (resources nested, byte counts as numbers), or null. */
  async getNodeInfo(nodeId: string): Promise<Row | null> {
    return this.#get('nodes', 'node_id', nodeId);
  }
  async getTaskInfo(taskId: string): Promise<Row | null> {
    return this.#get('tasks', 'task_id', taskId);
  }
  async getContentInfo(cid: string): Promise<Row | null> {
    return this.#get('content', 'cid', cid);
  }
  /** cluster_id, master_id, updated_at, state_version (the store version), schema_version. */
  async getMetadata(): Promise<ClusterMetadata> {
    return this.#client.read(readClusterMetadata);
  }

  /** A pinned snapshot of the newest version (Arrow tables by `table(name)`); release it. */
  snapshot(): Snapshot {
    return this.#client.snapshot();
  }
  /** The seed's getState: a pinned snapshot of the newest version; the caller releases it. */
  getState(): Snapshot {
    return this.snapshot();
  }

  /**
   * The runtime's `update(fn)`: `fn` reads a snapshot and returns a batch with its preconditions
   * (or null), retried on a lost race. A builder returned gets `updated_at` stamped.
   */
  updateState(
    fn: (snapshot: Snapshot) => UpdateResult | Promise<UpdateResult>,
    options?: UpdateOptions,
  ): Promise<number> {
    return this.#client.update(async (s) => {
      const b = await fn(s);
      if (b instanceof BatchBuilder) b.setMeta(META.updatedAt, this.#ctx.now());
      return b;
    }, options);
  }

  /** Writes a checkpoint now (the opening facade, with a persistence folder). */
  checkpoint(): Promise<CheckpointSummary | null> {
    if (this.#runtime === null) {
      return Promise.reject(
        new StateError('READ_ONLY', 'checkpoint() is for the facade that opened the state'),
      );
    }
    return this.#runtime.checkpoint();
  }

  /** Closes: the runtime (drain, final checkpoint) in the opening facade, the client in an attached one. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#purgeTimer !== null) clearInterval(this.#purgeTimer);
      this.#purgeTimer = null;
      if (this.#runtime !== null) await this.#runtime.close();
      else await this.#client.close();
    })();
    return this.#closed;
  }

  #get(table: string, keyColumn: string, id: string): Row | null {
    checkId(table, keyColumn, id);
    return this.#client.read((s) => s.get(table, id));
  }

  #startPurge(olderThanMs: number, intervalMs: number): void {
    let running = false;
    this.#purgeTimer = setInterval(() => {
      if (running) return;
      running = true;
      purgeFinishedTasks(this.#ctx, { olderThanMs })
        .catch(() => {
          // A closed store ends the timer with close(); other failures are retried next interval.
        })
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    this.#purgeTimer.unref();
  }
}

function checkClock(clock: unknown): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock !== 'function') throw new StateError('INVALID_OPTION', 'option clock must be a function');
  return clock as () => number;
}
