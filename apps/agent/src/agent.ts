import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Logger } from 'pino';
import { CriClient, DockerClient } from '@driftlock/cri';
import {
  AgentCapabilities,
  AgentIdentity,
  AgentStats,
  CommandFrame,
  EnforcementMode,
  MAX_EVENTS_PER_BATCH,
  PolicyDocument,
  ProcessEvent,
  Storyline,
  ThreatReport,
} from '@driftlock/protocol';
import { AgentConfig, statePaths } from './config/config';
import { ContainerRegistry, ContainerState } from './containers/container-registry';
import { RuntimeClients } from './containers/metadata';
import { userNamesAt, withUserNames } from './containers/users';
import { DriftFinding, isRuntimeInit, judgeExec } from './detection/detector';
import { PolicyState } from './detection/policy-state';
import { runningFileFlags } from './detection/running-drift';
import { respond } from './mitigation/respond';
import { hashFile, QuarantineRecord, QuarantineStore } from './mitigation/quarantine';
import { bootEpochMs, bootNsToEpochMs } from './processes/clock';
import { ExecInput, ProcessTable } from './processes/process-table';
import { Sensor } from './sensor/sensor';
import type { ExecEvent, SensorEvent } from './sensor/sensor-events';
import { AgentStatusFile, writeStatus } from './status';
import { Credentials, ServerConnection } from './transport/connection';
import { Outbox, OutboxBody } from './transport/outbox';

export const AGENT_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'),
).version;

const METADATA_RETRY_MS = 30_000;
const MAX_CONTAINERS = 10_000;
const MAX_COMMAND_LINE = 8192;
/** Bounds one container's sweep for drift already running (a container rarely has more). */
const MAX_SWEPT_PROCESSES = 10_000;

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function readlinkOrNull(file: string): string | null {
  try {
    return fs.readlinkSync(file);
  } catch {
    return null;
  }
}

/**
 * The running agent: sensor events flow through the process table, the container registry,
 * detection and mitigation into the outbox and on to the server.
 */
export class Agent {
  private readonly paths: ReturnType<typeof statePaths>;
  private readonly table: ProcessTable;
  private readonly registry: ContainerRegistry;
  private readonly policy: PolicyState;
  private readonly outbox: Outbox;
  private readonly store: QuarantineStore;
  private readonly sensor: Sensor;
  private readonly runtimes: string[];
  private connection: ServerConnection | null = null;
  private readonly bootEpoch: number;
  private ready = false;
  private stopping = false;
  private readonly startupEvents: SensorEvent[] = [];
  private batch: ProcessEvent[] = [];
  private readonly counters = { eventsSeen: 0, threats: 0 };
  private sensorState: AgentStatusFile['sensor'] = 'starting';
  private cpu = { usage: process.cpuUsage(), at: Date.now(), percent: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private link: { connected: boolean; lastError: string | null } = {
    connected: false,
    lastError: null,
  };
  private readonly startedAt = new Date().toISOString();
  /** cgroup id -> the mode the sensor enforces there now. */
  private readonly modes = new Map<string, EnforcementMode>();
  /** Host paths registered with the sensor as exceptions -> the policy exception behind each. */
  private readonly kernelExceptions = new Map<string, string>();

  constructor(
    private readonly config: AgentConfig,
    private readonly credentials: Credentials | null,
    private readonly log: Logger,
    private readonly onFatal: (error: Error) => void,
  ) {
    this.paths = statePaths(config.stateDir);
    fs.mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    this.bootEpoch = bootEpochMs(config.procRoot);
    const bootId = fs.readFileSync(path.join(config.procRoot, 'sys/kernel/random/boot_id'), 'utf8');
    this.table = new ProcessTable({
      maxExited: config.maxExitedProcesses,
      idPrefix: bootId.slice(0, 8),
    });
    const clients = this.runtimeClients();
    const criPresent = config.criAddresses.some((a) => fs.existsSync(a.replace(/^unix:\/\//, '')));
    this.runtimes = [criPresent ? 'containerd' : null, clients.docker ? 'docker' : null].filter(
      (r): r is string => r !== null,
    );
    this.registry = new ContainerRegistry({
      procRoot: config.procRoot,
      clients,
      node: config.node,
      cluster: config.cluster,
      retryMs: METADATA_RETRY_MS,
      maxContainers: MAX_CONTAINERS,
      onResolved: (state) => void this.applyContainerPolicy(state),
      onError: (error) => this.log.warn(error.message),
    });
    this.policy = new PolicyState(this.paths.policy, config.cluster);
    this.outbox = Outbox.open(this.paths.outbox, { maxEventBatches: config.maxQueuedEventBatches });
    this.store = new QuarantineStore(this.paths.quarantine);
    this.sensor = new Sensor({ loaderPath: config.sensorPath });
  }

  async start(): Promise<void> {
    await this.store.init();
    const policy = this.policy.load();
    const quarantined = (await this.store.list()).length;
    this.log.info({ policyVersion: policy?.version ?? null, quarantined }, 'agent: starting');
    this.sensor.on('event', (event) => this.onSensorEvent(event));
    this.sensor.on('error', (error) => this.log.error(`sensor: ${error.message}`));
    this.sensor.on('exit', (exit) => {
      this.sensorState = 'stopped';
      if (!this.stopping) {
        this.onFatal(
          new Error(
            `sensor: the loader exited (code ${exit.code}, signal ${exit.signal}): ${exit.stderr}`,
          ),
        );
      }
    });
    await this.sensor.start();
    this.sensorState = 'running';
    this.finishStartupScan();
    if (this.credentials) {
      this.connection = new ServerConnection(
        this.credentials,
        this.outbox,
        {
          hello: () => ({
            agent: this.identity(),
            capabilities: this.capabilities(),
            policyVersion: this.policy.version,
          }),
          stats: () => this.stats(),
          onPolicy: (p) => this.applyPolicy(p),
          onCommand: (c) => this.runCommand(c),
          onStateChange: (state) => {
            this.link = state;
            this.writeStatus();
          },
          log: (level, message) => this.log[level](message),
        },
        {
          heartbeatMs: this.config.heartbeatSeconds * 1000,
          initialBackoffMs: 500,
          maxBackoffMs: 30_000,
          window: 256,
        },
      );
      this.connection.start();
    } else {
      this.log.warn(
        'agent: not enrolled; threats wait in the outbox until `driftlock-agent enroll`',
      );
    }
    this.timers.push(setInterval(() => this.flushBatch(), this.config.eventBatchMs));
    this.timers.push(
      setInterval(() => {
        this.sampleCpu();
        this.writeStatus();
      }, this.config.heartbeatSeconds * 1000),
    );
    this.writeStatus();
    this.log.info(
      { processes: this.table.size.live, containers: this.registry.count, runtimes: this.runtimes },
      'agent: running',
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.flushBatch();
    await this.connection?.stop();
    if (this.sensorState !== 'stopped') await this.sensor.stop();
    this.sensorState = 'stopped';
    this.writeStatus();
  }

  stats(): AgentStats {
    return {
      eventsSeen: this.counters.eventsSeen,
      eventsDropped: (this.sensor.latestStats?.drops ?? 0) + this.outbox.dropped,
      threats: this.counters.threats,
      outboxLength: this.outbox.length,
      rssBytes: process.memoryUsage().rss,
      cpuPercent: this.cpu.percent,
      containers: this.registry.count,
      policyVersion: this.policy.version,
    };
  }

  private runtimeClients(): RuntimeClients {
    return {
      // A socket may appear after the agent starts (containerd restarted, a demo cluster); a
      // client on a missing socket just fails its calls until then.
      cri: this.config.criAddresses.map((address) => new CriClient({ address, timeoutMs: 5000 })),
      docker: fs.existsSync(this.config.dockerSocket)
        ? new DockerClient({ socketPath: this.config.dockerSocket, timeoutMs: 5000 })
        : null,
    };
  }

  private identity(): AgentIdentity {
    return {
      version: AGENT_VERSION,
      hostname: this.config.hostname,
      kind: this.config.kind,
      cluster: this.config.cluster,
      node: this.config.node,
      kernel: os.release(),
    };
  }

  private capabilities(): AgentCapabilities {
    return {
      inKernelKill: true,
      btf: fs.existsSync('/sys/kernel/btf/vmlinux'),
      runtimes: this.runtimes,
    };
  }

  // --- events -----------------------------------------------------------------------------

  private onSensorEvent(event: SensorEvent): void {
    this.counters.eventsSeen += 1;
    if (!this.ready) {
      this.startupEvents.push(event);
      return;
    }
    this.handle(event);
  }

  /**
   * The sensor reports the processes it found at start-up in pid order; the table needs parents
   * before children, so the scan is loaded oldest first, then the live events seen meanwhile.
   */
  private finishStartupScan(): void {
    const scan = this.startupEvents.filter((e): e is ExecEvent => e.kind === 'exec' && e.scan);
    this.table.loadScan(scan.map((e) => this.execInput(e)));
    for (const event of this.startupEvents)
      if (!(event.kind === 'exec' && event.scan)) this.handle(event);
    this.startupEvents.length = 0;
    this.ready = true;
  }

  private handle(event: SensorEvent): void {
    // Threads share their process's entry; only whole processes start and end here.
    if (event.kind !== 'exec' && event.pid !== event.tgid) return;
    const timeMs = bootNsToEpochMs(this.bootEpoch, event.timeNs);
    switch (event.kind) {
      case 'fork':
        this.table.fork({ pid: event.tgid, ppid: event.ppid, timeMs });
        return;
      case 'exit': {
        const node = this.table.exit({
          pid: event.tgid,
          timeMs,
          exitCode: event.signal === 0 ? event.exitCode : null,
          signal: event.signal === 0 ? null : event.signal,
        });
        if (node?.containerId) this.queueEvent(this.table.exitEvent(node));
        if (node?.containerId && node.origin === 'container_start')
          this.containerStopped(node.containerId);
        return;
      }
      case 'exec':
        this.onExec(event);
    }
  }

  private execInput(event: ExecEvent): ExecInput {
    const pid = event.tgid;
    const container = this.registry.refFor(pid, event.cgroupId);
    // Two /proc reads per exec: spent only where a path or a report needs the directory.
    const needsCwd = container !== null || !path.posix.isAbsolute(event.filename);
    const cwd = needsCwd ? (this.cwdOf(pid) ?? this.cwdOf(event.ppid)) : null;
    // The start-up scan read the exe link from the host; an exec names the file as the container does.
    const named =
      event.scan && container ? (this.containerView(pid, 'exe') ?? event.filename) : event.filename;
    const exe = path.posix.isAbsolute(named) ? named : path.posix.join(cwd ?? '/', named);
    const flags = [
      event.flags.upperLayer ? 'upper_layer' : null,
      event.flags.memfd ? 'memfd' : null,
      event.flags.nonImageFs ? 'non_image_fs' : null,
      event.flags.interpreter ? 'interpreter' : null,
      event.killed ? 'killed_in_kernel' : null,
    ].filter((f): f is string => f !== null);
    return {
      pid,
      ppid: event.ppid,
      timeMs: bootNsToEpochMs(this.bootEpoch, event.timeNs),
      exe,
      args: event.argv,
      argsTruncated: event.argvTruncated,
      cwd,
      uid: event.uid,
      flags,
      container,
    };
  }

  private onExec(event: ExecEvent): void {
    const input = this.execInput(event);
    const previousExe = this.table.livePid(input.pid)?.exe ?? null;
    const node = this.table.exec(input);
    if (!input.container) return;
    this.log.debug(
      {
        pid: node.pid,
        ppid: node.ppid,
        args: node.args,
        flags: node.flags,
        container: input.container.id,
        origin: node.origin,
        storylineId: node.storylineId,
        previousExe,
        parent: this.table.livePid(node.ppid)?.args.slice(0, 4) ?? null,
      },
      `process: exec ${node.exe}`,
    );
    this.queueEvent(this.table.execEvent(node));
    if (event.mode === 'off') return;
    this.judge(
      { ...event, mode: event.mode },
      input,
      node.processId,
      node.storylineId,
      previousExe,
    ).catch((error: Error) =>
      this.log.error(`detection: pid ${input.pid} (${input.exe}): ${error.message}`),
    );
  }

  /**
   * A /proc link of the process (`cwd`, `exe`) as the container sees it. readlink gives the path
   * inside the process's root when that root is a mount of its own (pivot_root), and the host
   * path under a plain chroot; the root prefix is cut in that case.
   */
  private containerView(pid: number, link: 'cwd' | 'exe'): string | null {
    const base = path.join(this.config.procRoot, String(pid));
    const target = readlinkOrNull(path.join(base, link));
    const root = readlinkOrNull(path.join(base, 'root'));
    if (target === null) return null;
    if (root && root !== '/' && (target === root || target.startsWith(`${root}/`)))
      return target.slice(root.length) || '/';
    return target;
  }

  private cwdOf(pid: number): string | null {
    return this.containerView(pid, 'cwd');
  }

  // --- detection and mitigation -------------------------------------------------------------

  private async judge(
    event: ExecEvent & { mode: 'detect' | 'protect' },
    input: ExecInput,
    processId: string,
    storylineId: string,
    previousExe: string | null,
  ): Promise<void> {
    const container = input.container ? this.registry.get(input.container.id) : null;
    const finding = judgeExec(
      {
        pid: input.pid,
        filename: event.filename,
        exe: input.exe,
        args: input.args,
        cwd: input.cwd,
        ino: event.ino,
        flags: event.flags,
        previousExe,
        layers: container?.layers ?? null,
      },
      this.config.procRoot,
    );
    if (!finding) {
      if (event.killed)
        this.log.warn(
          `detection: the kernel killed pid ${input.pid} (${input.exe}) but no drift is found in user space`,
        );
      return;
    }
    const node = this.table.get(processId);
    // The exe was guessed from a relative name without a cwd; the file found is the truth.
    if (node && input.cwd === null && finding.driftClass !== 'fileless')
      node.exe = finding.containerPath;
    await this.raise(finding, {
      input,
      processId,
      storylineId,
      mode: event.mode,
      killedInKernel: event.killed,
    });
  }

  /**
   * Drift already running when Application Control comes on for a container: the agent started
   * after it (the start-up scan found it) or it ran while the container was unwatched. Each live
   * process's file is checked against the container's layers and handled as if it had just been
   * exec'd; in protect mode it is killed from user space.
   */
  private async sweepRunning(state: ContainerState, mode: 'detect' | 'protect'): Promise<void> {
    const container = this.registry.get(state.ref.id);
    if (!container?.layers) return;
    for (const pid of this.table.livePidsInContainer(state.ref.id, null, MAX_SWEPT_PROCESSES)) {
      const node = this.table.livePid(pid);
      if (!node || isRuntimeInit(node.args)) continue;
      const flags = runningFileFlags(this.config.procRoot, pid, node.exe, container.layers);
      if (!flags) continue;
      const input: ExecInput = {
        pid,
        ppid: node.ppid,
        timeMs: Date.now(),
        exe: node.exe,
        args: node.args,
        argsTruncated: node.argsTruncated,
        cwd: node.cwd ?? this.cwdOf(pid),
        uid: node.uid,
        flags: node.flags,
        container: state.ref,
      };
      const finding = judgeExec(
        {
          ...input,
          filename: node.exe,
          ino: null,
          flags,
          previousExe: null,
          layers: container.layers,
        },
        this.config.procRoot,
      );
      if (!finding) continue;
      this.log.warn(
        { pid, exe: node.exe, container: state.ref.id, mode },
        'detection: drift found running when Application Control came on',
      );
      await this.raise(finding, {
        input,
        processId: node.processId,
        storylineId: node.storylineId,
        mode,
        killedInKernel: false,
      });
    }
  }

  /** Mitigates one finding as the mode says and reports it as a threat. */
  private async raise(
    finding: DriftFinding,
    ctx: {
      input: ExecInput;
      processId: string;
      storylineId: string;
      mode: 'detect' | 'protect';
      killedInKernel: boolean;
    },
  ): Promise<void> {
    const { input, processId, storylineId, mode, killedInKernel } = ctx;
    const sources = this.sourcesFor(finding, input.pid, input.container?.id ?? null);
    if (await this.isExcepted(finding, sources, killedInKernel)) return;
    const threatId = randomUUID();
    const response = await respond(
      {
        threatId,
        mode,
        killedInKernel,
        pid: input.pid,
        args: input.args,
        containerId: input.container?.id ?? null,
        containerPath: finding.containerPath,
        sources,
      },
      this.config.procRoot,
      this.store,
    );
    const kill = response.mitigations.find((m) => m.action === 'kill');
    if (kill?.outcome === 'succeeded' && !kill.killedInKernel) {
      // A script killed mid-run leaves its children (a `sleep`, a download) running: they go too.
      // Fork and exec events reach the table up to a drain period late: wait until the sensor
      // has delivered everything the kernel recorded before the kill, then look for children.
      await this.sensor.drained().catch(() => undefined);
      const children = this.table.liveDescendants(processId);
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // it exited by itself meanwhile
        }
      }
      if (children.length > 0) kill.detail += `; ${children.length} child process(es) killed too`;
    }
    const metadata = input.container
      ? await this.registry.metadataWithin(input.container.id, this.config.metadataWaitMs)
      : null;
    const threat: ThreatReport = {
      threatId,
      detectedAt: new Date(input.timeMs).toISOString(),
      engine: 'application_control',
      driftClass: finding.driftClass,
      mode,
      commandLine: input.args.join(' ').slice(0, MAX_COMMAND_LINE) || input.exe,
      processId,
      file: response.file,
      mitigations: response.mitigations,
      container:
        metadata?.container ?? (input.container ? this.bareContainer(input.container.id) : null),
      kubernetes: metadata?.kubernetes ?? null,
      storyline: this.namedStoryline(storylineId, input.container?.id ?? null),
    };
    this.flushBatch();
    this.enqueue({ type: 'threat', threat: ThreatReport.parse(threat) });
    this.counters.threats += 1;
    this.log.warn(
      {
        threatId,
        driftClass: finding.driftClass,
        path: finding.containerPath,
        mode,
        mitigations: response.mitigations.map((m) => `${m.action} ${m.outcome}: ${m.detail}`),
        pod: metadata?.kubernetes
          ? `${metadata.kubernetes.namespace}/${metadata.kubernetes.podName}`
          : null,
      },
      `drift: ${threat.commandLine}`,
    );
  }

  /** The threat's storyline with user names from the container's and the host's passwd. */
  private namedStoryline(storylineId: string, containerId: string | null): Storyline {
    const inContainer = containerId ? this.table.livePidInContainer(containerId) : null;
    return withUserNames(
      this.table.storyline(storylineId),
      containerId,
      inContainer === null ? new Map() : userNamesAt(this.config.procRoot, inContainer),
      userNamesAt(this.config.procRoot, 1),
    );
  }

  /** A container the runtime could not describe is still reported by its id. */
  private bareContainer(id: string): ThreatReport['container'] {
    return { id, name: '', runtime: 'unknown', image: '', imageDigest: null, startedAt: null };
  }

  /**
   * Ways to the file from the host, best first: the roots of other live processes of the
   * container (the merged view, so removing the file leaves a proper whiteout; the drifting
   * process itself is being killed and its /proc entry can vanish between copy and unlink),
   * then its own root, then the upper layer itself.
   */
  private sourcesFor(finding: DriftFinding, pid: number, containerId: string | null): string[] {
    if (finding.driftClass === 'fileless') return [];
    if (containerId === null) return [finding.containerPath];
    const others = this.table
      .livePidsInContainer(containerId, pid, 3)
      .map((other) =>
        path.join(this.config.procRoot, String(other), 'root', finding.containerPath),
      );
    return unique([...others, ...finding.hostPaths]);
  }

  private async isExcepted(
    finding: DriftFinding,
    sources: string[],
    killed: boolean,
  ): Promise<boolean> {
    if (this.policy.exceptions.length === 0) return false;
    let sha256: string | null = null;
    if (this.policy.hasContentExceptions) {
      for (const source of sources) {
        sha256 = await hashFile(source).then(
          (h) => h.sha256,
          () => null,
        );
        if (sha256) break;
      }
    }
    const exception = this.policy.exceptionFor(finding.containerPath, sha256);
    if (!exception) return false;
    this.log.info(`detection: ${finding.containerPath} is allowed by exception ${exception.id}`);
    if (killed) {
      // The kernel matched no exception for this inode: register it, so the next run passes.
      this.log.warn(
        `detection: ${finding.containerPath} was killed in the kernel before its exception was known there`,
      );
      const hostPath = sources.find((s) => fs.existsSync(s));
      if (hostPath) await this.addKernelException(hostPath, exception.id);
    }
    return true;
  }

  // --- policy -----------------------------------------------------------------------------

  private async applyMode(state: ContainerState): Promise<void> {
    const mode = this.policy.modeFor(state.metadata?.kubernetes?.namespace ?? null);
    const previous = this.modes.get(state.cgroupId);
    if (previous === mode) return;
    // Recorded before the await, so a policy and a container discovery arriving together
    // change the mode (and sweep the container) once.
    this.modes.set(state.cgroupId, mode);
    try {
      await this.sensor.setMode(state.cgroupId, mode);
      this.log.info(
        { container: state.ref.id, cgroupId: state.cgroupId, mode },
        'policy: container mode set',
      );
    } catch (error) {
      this.log.error(
        `policy: cannot set mode ${mode} for container ${state.ref.id}: ${(error as Error).message}`,
      );
      if (this.modes.get(state.cgroupId) === mode) {
        if (previous === undefined) this.modes.delete(state.cgroupId);
        else this.modes.set(state.cgroupId, previous);
      }
      return;
    }
    // New execs are judged from here on; what already runs is judged once, now.
    if ((previous ?? 'off') === 'off' && mode !== 'off')
      await this.sweepRunning(state, mode).catch((error: Error) =>
        this.log.error(`detection: sweep of container ${state.ref.id}: ${error.message}`),
      );
  }

  private async applyContainerPolicy(state: ContainerState): Promise<void> {
    await this.applyMode(state);
    await this.syncExceptionsFor(state);
  }

  private async applyPolicy(policy: PolicyDocument): Promise<void> {
    if (!this.policy.update(policy)) {
      this.log.info(`policy: ignoring v${policy.version}, older than v${this.policy.version}`);
      return;
    }
    await Promise.all(this.registry.all().map((state) => this.applyContainerPolicy(state)));
    await this.dropStaleExceptions();
    this.log.info({ version: policy.version }, 'policy: applied');
  }

  /** Path exceptions become kernel exceptions for every running container that has the file. */
  private async syncExceptionsFor(state: ContainerState): Promise<void> {
    const pid = this.table.livePidInContainer(state.ref.id);
    if (pid === null) return;
    for (const exception of this.policy.exceptions) {
      if (exception.path === null) continue;
      const hostPath = path.join(this.config.procRoot, String(pid), 'root', exception.path);
      if (fs.existsSync(hostPath)) await this.addKernelException(hostPath, exception.id);
    }
  }

  private async addKernelException(hostPath: string, exceptionId: string): Promise<void> {
    if (this.kernelExceptions.has(hostPath)) return;
    try {
      await this.sensor.addException(hostPath);
      this.kernelExceptions.set(hostPath, exceptionId);
    } catch (error) {
      this.log.warn(
        `policy: cannot register exception ${hostPath} with the sensor: ${(error as Error).message}`,
      );
    }
  }

  /** Exceptions the policy no longer holds stop protecting their files in the kernel too. */
  private async dropStaleExceptions(): Promise<void> {
    const current = new Set(this.policy.exceptions.map((e) => e.id));
    for (const [hostPath, exceptionId] of this.kernelExceptions) {
      if (current.has(exceptionId)) continue;
      this.kernelExceptions.delete(hostPath);
      await this.sensor.removeException(hostPath).catch((error: Error) => {
        this.log.warn(
          `policy: cannot remove exception ${hostPath} from the sensor: ${error.message}`,
        );
      });
    }
  }

  private containerStopped(containerId: string): void {
    // Processes that joined the container (exec sessions) can outlive its init for a moment.
    if (this.table.livePidInContainer(containerId) !== null) return;
    const state = this.registry.get(containerId);
    this.registry.forget(containerId);
    if (state && this.modes.delete(state.cgroupId)) {
      this.sensor
        .clearMode(state.cgroupId)
        .catch((error: Error) => this.log.debug(`policy: ${error.message}`));
    }
  }

  // --- commands ---------------------------------------------------------------------------

  private async runCommand(
    command: CommandFrame,
  ): Promise<{ outcome: 'succeeded' | 'failed'; detail: string }> {
    switch (command.command) {
      case 'quarantine_restore': {
        const record = await this.store.get(command.quarantineId);
        const target = this.restoreTarget(record);
        await this.store.restore(command.quarantineId, target);
        this.log.info({ quarantineId: record.quarantineId, target }, 'quarantine: restored');
        return {
          outcome: 'succeeded',
          detail: `restored ${record.path} (sha256 ${record.sha256}, mode ${record.mode.toString(8)})`,
        };
      }
      case 'quarantine_delete': {
        const record = await this.store.delete(command.quarantineId);
        this.log.info({ quarantineId: record.quarantineId }, 'quarantine: deleted');
        return { outcome: 'succeeded', detail: `deleted the quarantined copy of ${record.path}` };
      }
    }
  }

  private restoreTarget(record: QuarantineRecord): string {
    if (record.containerId === null) return record.path;
    const pid = this.table.livePidInContainer(record.containerId);
    if (pid !== null) return path.join(this.config.procRoot, String(pid), 'root', record.path);
    const upperdir = this.registry.get(record.containerId)?.layers?.upperdir;
    if (upperdir && fs.existsSync(upperdir)) return path.join(upperdir, record.path);
    throw new Error(
      `restore: container ${record.containerId} of ${record.path} is no longer running`,
    );
  }

  // --- delivery ---------------------------------------------------------------------------

  private queueEvent(event: ProcessEvent): void {
    this.batch.push(event);
    if (this.batch.length >= MAX_EVENTS_PER_BATCH) this.flushBatch();
  }

  private flushBatch(): void {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.enqueue({ type: 'process_events', events });
  }

  private enqueue(body: OutboxBody): void {
    try {
      this.outbox.append(body);
    } catch (error) {
      this.log.error(`outbox: cannot store a ${body.type} message: ${(error as Error).message}`);
      return;
    }
    this.connection?.flush();
  }

  private sampleCpu(): void {
    const now = Date.now();
    const usage = process.cpuUsage(this.cpu.usage);
    const elapsedMs = Math.max(1, now - this.cpu.at);
    this.cpu = {
      usage: process.cpuUsage(),
      at: now,
      percent: Math.round(((usage.user + usage.system) / 1000 / elapsedMs) * 1000) / 10,
    };
  }

  private writeStatus(): void {
    try {
      writeStatus(this.paths.status, {
        pid: process.pid,
        version: AGENT_VERSION,
        startedAt: this.startedAt,
        updatedAt: new Date().toISOString(),
        agentId: this.credentials?.agentId ?? null,
        server: this.credentials?.server ?? null,
        connected: this.link.connected,
        lastError: this.link.lastError,
        sensor: this.sensorState,
        stats: this.stats(),
      });
    } catch (error) {
      this.log.warn(`status: cannot write ${this.paths.status}: ${(error as Error).message}`);
    }
  }
}
