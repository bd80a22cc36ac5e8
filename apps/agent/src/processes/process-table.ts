import * as path from 'path';
import type { ProcessEvent, ProcessNode, Storyline, StorylineOrigin } from '@driftlock/protocol';

/** The container a process runs in, as far as its cgroup tells (before any runtime metadata). */
export interface ContainerRef {
  id: string;
  /** From the cgroup path: kubepods / cri-containerd are CRI, /docker/ is Docker. */
  flavor: 'cri' | 'docker' | 'unknown';
}

export interface ForkInput {
  pid: number;
  ppid: number;
  timeMs: number;
}

export interface ExecInput {
  pid: number;
  ppid: number;
  timeMs: number;
  exe: string;
  args: string[];
  argsTruncated: boolean;
  cwd: string | null;
  uid: number;
  flags: string[];
  container: ContainerRef | null;
}

export interface ExitInput {
  pid: number;
  timeMs: number;
  exitCode: number | null;
  signal: number | null;
}

interface Entry {
  node: ProcessNode;
  /** False for a forked child that has not exec'd yet: it still runs its parent's image. */
  execed: boolean;
}

export interface ProcessTableOptions {
  maxExited: number;
  /** Prefix of every id, distinct per boot, because pids and boot times repeat across boots. */
  idPrefix: string;
}

const MAX_STORYLINE_NODES = 5000;
const MAX_ARGS = 256;
const RECENT_EXITS = 1024;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * containerd's shims (`containerd-shim-runc-v2`, ...) and runc are the processes that start
 * containers. runc re-executes itself from a memfd copy (`/dev/fd/5`), so argv[0] names it too.
 */
function isRuntime(node: ProcessNode): boolean {
  return [node.exe, node.args[0] ?? ''].some((file) => {
    const name = path.basename(file);
    return name.startsWith('containerd-shim') || name === 'runc';
  });
}

/**
 * Which API asked the runtime for this process: the shim runs with `-namespace k8s.io` for CRI
 * (the kubelet) and `-namespace moby` for Docker; runc with `--root /run/containerd/runc/<ns>`.
 */
function runtimeNamespace(runtime: ProcessNode): 'cri' | 'docker' | null {
  const joined = runtime.args.join(' ');
  if (/(^|[\s/=])k8s\.io(\s|$)/.test(joined)) return 'cri';
  if (/(^|[\s/=])moby(\s|$)/.test(joined)) return 'docker';
  return null;
}

/**
 * The host's process table, from the start-up scan and the sensor's fork/exec/exit events.
 * Live processes are all kept; exited container processes stay in an LRU so a threat's
 * storyline can still show the `wget` and `chmod` that ran before it.
 */
export class ProcessTable {
  private readonly live = new Map<number, Entry>();
  private readonly exited = new Map<string, ProcessNode>();
  private readonly byId = new Map<string, ProcessNode>();
  private readonly storylines = new Map<string, Set<string>>();
  /**
   * containerId -> pid of the container's init. A pid, not a node: the init often execs again
   * (`sh -c 'exec httpd'`) and stays the init.
   */
  private readonly containerInits = new Map<string, number>();
  /** The last processes to exit, by pid: see parentOf. */
  private readonly recentExits = new Map<number, ProcessNode>();
  private eventCounter = 0;

  constructor(private readonly options: ProcessTableOptions) {}

  get size(): { live: number; exited: number } {
    return { live: this.live.size, exited: this.exited.size };
  }

  /**
   * Loads the processes that ran before the agent (the sensor's start-up scan, in pid order)
   * oldest first, so parents are known before their children and storylines chain.
   */
  loadScan(processes: ExecInput[]): void {
    const ordered = [...processes].sort((a, b) => a.timeMs - b.timeMs || a.pid - b.pid);
    for (const p of ordered) this.exec(p);
  }

  fork(input: ForkInput): ProcessNode {
    const parent = this.parentOf(input.ppid);
    const node: ProcessNode = {
      processId: this.processId(input.pid, input.timeMs),
      parentProcessId: parent?.processId ?? null,
      storylineId: parent?.storylineId ?? this.storylineIdFor(input.pid, input.timeMs),
      pid: input.pid,
      ppid: input.ppid,
      exe: parent?.exe ?? '',
      args: parent?.args ?? [],
      argsTruncated: parent?.argsTruncated ?? false,
      cwd: parent?.cwd ?? null,
      uid: parent?.uid ?? 0,
      user: null,
      startedAt: iso(input.timeMs),
      exitedAt: null,
      exitCode: null,
      signal: null,
      flags: [],
      containerId: parent?.containerId ?? null,
      origin: parent ? null : 'unknown',
    };
    this.retireLive(input.pid, input.timeMs);
    this.addLive(node, false);
    return node;
  }

  /** Records an exec and returns the process node as it now stands, with its storyline. */
  exec(input: ExecInput): ProcessNode {
    const current = this.live.get(input.pid);
    const parent = this.parentOf(input.ppid);
    const args = input.args.slice(0, MAX_ARGS);
    const image = {
      exe: input.exe,
      args,
      argsTruncated: input.argsTruncated || input.args.length > MAX_ARGS,
      cwd: input.cwd,
      uid: input.uid,
      flags: input.flags,
      containerId: input.container?.id ?? null,
      ppid: input.ppid,
    };

    let node: ProcessNode;
    if (current && !current.execed) {
      // fork + exec is one process: the forked entry takes the new image.
      node = { ...current.node, ...image, parentProcessId: parent?.processId ?? null };
      this.replaceLive(current.node, node);
    } else {
      // An exec without a fork we saw (a scan entry, or `exec ./x` replacing a shell): a new
      // node whose parent is the image it replaced, so the storyline shows where it came from.
      node = {
        ...image,
        processId: this.processId(input.pid, input.timeMs),
        parentProcessId: current?.node.processId ?? parent?.processId ?? null,
        storylineId: current?.node.storylineId ?? parent?.storylineId ?? '',
        pid: input.pid,
        user: null,
        startedAt: iso(input.timeMs),
        exitedAt: null,
        exitCode: null,
        signal: null,
        origin: null,
      };
      if (current) this.retireLive(input.pid, input.timeMs);
      this.addLive(node, true);
    }
    this.assignStoryline(node, parent, input, current?.node ?? null);
    return node;
  }

  exit(input: ExitInput): ProcessNode | null {
    const entry = this.live.get(input.pid);
    if (!entry) return null;
    entry.node.exitedAt = iso(input.timeMs);
    entry.node.exitCode = input.exitCode;
    entry.node.signal = input.signal;
    this.live.delete(input.pid);
    this.recentExits.delete(input.pid);
    this.recentExits.set(input.pid, entry.node);
    if (this.recentExits.size > RECENT_EXITS)
      this.recentExits.delete(this.recentExits.keys().next().value as number);
    this.remember(entry.node);
    return entry.node;
  }

  get(processId: string): ProcessNode | null {
    return this.byId.get(processId) ?? null;
  }

  livePid(pid: number): ProcessNode | null {
    return this.live.get(pid)?.node ?? null;
  }

  /** A live process of the container, whose /proc/<pid>/root shows the container's files. */
  livePidInContainer(containerId: string): number | null {
    return this.livePidsInContainer(containerId, null, 1)[0] ?? null;
  }

  /** Up to `limit` live processes of the container other than `exceptPid`, oldest first. */
  livePidsInContainer(containerId: string, exceptPid: number | null, limit: number): number[] {
    const pids: number[] = [];
    for (const [pid, entry] of this.live) {
      if (pid !== exceptPid && entry.node.containerId === containerId) pids.push(pid);
      if (pids.length === limit) break;
    }
    return pids;
  }

  /** Live processes descending from one process: what a killed script had started. */
  liveDescendants(processId: string): number[] {
    const found = new Set([processId]);
    const pids: number[] = [];
    let grew = true;
    while (grew) {
      grew = false;
      for (const { node } of this.live.values()) {
        if (
          node.parentProcessId !== null &&
          found.has(node.parentProcessId) &&
          !found.has(node.processId)
        ) {
          found.add(node.processId);
          pids.push(node.pid);
          grew = true;
        }
      }
    }
    return pids;
  }

  /** Every known process of a storyline, root first, copied so later changes do not leak in. */
  storyline(storylineId: string): Storyline {
    const ids = this.storylines.get(storylineId) ?? new Set<string>();
    const nodes: ProcessNode[] = [];
    for (const id of ids) {
      const node = this.byId.get(id);
      if (node) nodes.push({ ...node, args: [...node.args], flags: [...node.flags] });
    }
    nodes.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const root = nodes.find((n) => n.origin !== null) ?? nodes[0];
    return {
      storylineId,
      origin: root?.origin ?? 'unknown',
      processes: nodes.slice(0, MAX_STORYLINE_NODES),
    };
  }

  execEvent(node: ProcessNode): ProcessEvent {
    return {
      kind: 'exec',
      eventId: this.eventId(),
      process: { ...node, args: [...node.args], flags: [...node.flags] },
    };
  }

  exitEvent(node: ProcessNode): ProcessEvent {
    return {
      kind: 'exit',
      eventId: this.eventId(),
      processId: node.processId,
      storylineId: node.storylineId,
      exitedAt: node.exitedAt ?? iso(Date.now()),
      exitCode: node.exitCode,
      signal: node.signal,
    };
  }

  /**
   * A process the container runtime started begins a storyline: the container's init
   * (`container_start`) or, once the container has a live init, an exec session. Every other
   * process inherits the storyline of the image it replaced, or of its parent.
   */
  private assignStoryline(
    node: ProcessNode,
    parent: ProcessNode | null,
    input: ExecInput,
    previous: ProcessNode | null,
  ): void {
    const startsInContainer =
      input.container !== null &&
      parent !== null &&
      isRuntime(parent) &&
      // Still running the runtime's image (runc init) or just forked from it: the first
      // workload exec. A shell of the session that execs again keeps its storyline.
      (previous === null || previous.storylineId === parent.storylineId || isRuntime(previous));
    if (startsInContainer && input.container) {
      const init = this.containerInits.get(input.container.id);
      if (init === undefined || !this.isInitAlive(init, input.container.id)) {
        this.containerInits.set(input.container.id, node.pid);
        this.startStoryline(node, 'container_start');
      } else {
        const flavor = runtimeNamespace(parent as ProcessNode) ?? input.container.flavor;
        this.startStoryline(node, flavor === 'docker' ? 'docker_exec' : 'kubectl_exec');
      }
    } else if (node.storylineId === '') {
      // Neither a parent nor an earlier image is known: pid 1, or history lost before start-up.
      this.startStoryline(node, input.container ? 'unknown' : 'host');
    }
  }

  private startStoryline(node: ProcessNode, origin: StorylineOrigin): void {
    node.origin = origin;
    this.moveToStoryline(node, this.storylineIdFor(node.pid, Date.parse(node.startedAt)));
  }

  /**
   * The parent as the event names it. Events from different CPUs can reach the ring slightly out
   * of order: `runc exec` may be reported gone just before the exec of the shell it started.
   */
  private parentOf(ppid: number): ProcessNode | null {
    return this.live.get(ppid)?.node ?? this.recentExits.get(ppid) ?? null;
  }

  private isInitAlive(pid: number, containerId: string): boolean {
    return this.live.get(pid)?.node.containerId === containerId;
  }

  /** True when the exited process was its container's init: the container is gone with it. */
  wasContainerInit(node: ProcessNode): boolean {
    return (
      node.containerId !== null &&
      this.containerInits.get(node.containerId) === node.pid &&
      !this.live.has(node.pid)
    );
  }

  private addLive(node: ProcessNode, execed: boolean): void {
    this.live.set(node.pid, { node, execed });
    this.byId.set(node.processId, node);
    if (node.storylineId !== '') this.index(node.storylineId).add(node.processId);
  }

  private replaceLive(old: ProcessNode, node: ProcessNode): void {
    this.unindex(old);
    this.live.set(node.pid, { node, execed: true });
    this.byId.set(node.processId, node);
    if (node.storylineId !== '') this.index(node.storylineId).add(node.processId);
  }

  /** The image a pid ran before a new fork or exec: kept as exited history. */
  private retireLive(pid: number, timeMs: number): void {
    const entry = this.live.get(pid);
    if (!entry) return;
    this.live.delete(pid);
    entry.node.exitedAt ??= iso(timeMs);
    this.remember(entry.node);
  }

  private moveToStoryline(node: ProcessNode, storylineId: string): void {
    if (node.storylineId === storylineId && storylineId !== '') return;
    this.unindex(node);
    node.storylineId = storylineId;
    this.index(storylineId).add(node.processId);
  }

  /**
   * Keeps an ended image for the storylines of threats. Threats happen in containers only, so a
   * host process is forgotten at once: a busy host's exec churn must not fill the history.
   */
  private remember(node: ProcessNode): void {
    if (node.containerId === null) {
      this.forget(node);
      return;
    }
    this.exited.delete(node.processId);
    this.exited.set(node.processId, node);
    while (this.exited.size > this.options.maxExited) {
      const oldest = this.exited.values().next().value as ProcessNode;
      this.exited.delete(oldest.processId);
      this.forget(oldest);
    }
  }

  private forget(node: ProcessNode): void {
    if (this.byId.get(node.processId) === node) this.byId.delete(node.processId);
    this.unindex(node);
  }

  private index(storylineId: string): Set<string> {
    let set = this.storylines.get(storylineId);
    if (!set) {
      set = new Set();
      this.storylines.set(storylineId, set);
    }
    return set;
  }

  private unindex(node: ProcessNode): void {
    const set = this.storylines.get(node.storylineId);
    if (!set) return;
    set.delete(node.processId);
    if (set.size === 0) this.storylines.delete(node.storylineId);
  }

  private processId(pid: number, timeMs: number): string {
    return `${this.options.idPrefix}-p${pid}-${Math.round(timeMs * 1000)}`;
  }

  private storylineIdFor(pid: number, timeMs: number): string {
    return `${this.options.idPrefix}-s${pid}-${Math.round(timeMs * 1000)}`;
  }

  private eventId(): string {
    this.eventCounter += 1;
    return `${this.options.idPrefix}-e${Date.now()}-${this.eventCounter}`;
  }
}
