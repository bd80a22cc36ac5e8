import type { ContainerRef } from '../processes/process-table';
import { cgroupPathsOf, containerFromCgroupPath } from './cgroup';
import { ContainerMetadata, fetchMetadata, RuntimeClients } from './metadata';
import { RootLayers, rootLayersOf } from './mountinfo';

export interface ContainerState {
  ref: ContainerRef;
  /** BPF cgroup id (inode of the v2 cgroup directory), as a decimal string. */
  cgroupId: string;
  layers: RootLayers | null;
  metadata: ContainerMetadata | null;
}

export interface ContainerRegistryOptions {
  procRoot: string;
  clients: RuntimeClients;
  node: string;
  cluster: string | null;
  /** After a failed lookup, how long before the runtime is asked again. */
  retryMs: number;
  maxContainers: number;
  /** After each lookup, with or without metadata: the container's mode can be decided now. */
  onResolved: (state: ContainerState) => void;
  onError: (error: Error) => void;
}

/**
 * Containers seen on this host: cgroup -> container id, root layers, runtime metadata. Lookups
 * that need the runtime are asynchronous and cached; nothing on the kill path waits for them.
 */
export class ContainerRegistry {
  private readonly containers = new Map<string, ContainerState>();
  private readonly byCgroup = new Map<string, ContainerRef | null>();
  private readonly pending = new Map<string, Promise<ContainerMetadata | null>>();
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly options: ContainerRegistryOptions) {}

  get count(): number {
    return this.containers.size;
  }

  all(): ContainerState[] {
    return [...this.containers.values()];
  }

  get(containerId: string): ContainerState | null {
    return this.containers.get(containerId) ?? null;
  }

  /**
   * The container of a process, from its cgroup; cached by the event's cgroup id so that a busy
   * container costs one /proc read. Returns null for host processes and vanished pids.
   */
  refFor(pid: number, cgroupId: string): ContainerRef | null {
    if (this.byCgroup.has(cgroupId)) return this.byCgroup.get(cgroupId) ?? null;
    let ref: ContainerRef | null = null;
    try {
      const { v2, all } = cgroupPathsOf(this.options.procRoot, pid);
      for (const p of v2 !== null ? [v2, ...all] : all) {
        ref = containerFromCgroupPath(p);
        if (ref) break;
      }
    } catch {
      return null;
    }
    this.byCgroup.set(cgroupId, ref);
    if (ref) this.observe(ref, pid, cgroupId);
    return ref;
  }

  /** Records a container seen through one of its processes and starts its metadata lookup. */
  private observe(ref: ContainerRef, pid: number, cgroupId: string): ContainerState {
    let state = this.containers.get(ref.id);
    if (!state) {
      state = { ref, cgroupId, layers: null, metadata: null };
      this.containers.set(ref.id, state);
      this.evictOldest();
    }
    state.layers ??= rootLayersOf(this.options.procRoot, pid);
    if (state.metadata === null) void this.lookup(state);
    return state;
  }

  /** The metadata, waiting at most `ms` for a lookup in flight; null when the runtime has none. */
  async metadataWithin(containerId: string, ms: number): Promise<ContainerMetadata | null> {
    const state = this.containers.get(containerId);
    if (!state) return null;
    if (state.metadata) return state.metadata;
    const lookup = this.pending.get(containerId) ?? this.lookup(state);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    });
    try {
      return await Promise.race([lookup, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  forget(containerId: string): void {
    const state = this.containers.get(containerId);
    if (state) this.byCgroup.delete(state.cgroupId);
    this.containers.delete(containerId);
  }

  private lookup(state: ContainerState): Promise<ContainerMetadata | null> {
    const id = state.ref.id;
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const failed = this.failedAt.get(id);
    if (failed !== undefined && Date.now() - failed < this.options.retryMs) {
      return Promise.resolve(null);
    }
    const { clients, node, cluster } = this.options;
    const promise = fetchMetadata(clients, state.ref, node, cluster)
      .then((metadata) => {
        state.metadata = metadata;
        this.failedAt.delete(id);
        this.options.onResolved(state);
        return metadata;
      })
      .catch((error: Error) => {
        this.failedAt.set(id, Date.now());
        this.options.onError(error);
        this.options.onResolved(state);
        return null;
      })
      .finally(() => this.pending.delete(id));
    this.pending.set(id, promise);
    return promise;
  }

  private evictOldest(): void {
    while (this.containers.size > this.options.maxContainers) {
      const oldest = this.containers.keys().next().value as string;
      this.forget(oldest);
    }
  }
}
