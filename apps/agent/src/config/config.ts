import * as os from 'os';
import * as path from 'path';
import { z } from 'zod';
import { AgentKind } from '@driftlock/protocol';

/**
 * The agent's whole configuration, parsed once at start-up from CLI flags, then environment
 * variables (the DaemonSet way), then defaults. Nothing else in the agent reads process.env.
 */
export const AgentConfig = z.object({
  stateDir: z.string().min(1),
  /** Base URL of the driftlock server, e.g. http://127.0.0.1:3000; stored with the credentials. */
  server: z.string().nullable(),
  /** Enrollment token, for `enroll` or for a first `run` in a DaemonSet. */
  enrollToken: z.string().min(1).nullable(),
  sensorPath: z.string().min(1),
  /** CRI sockets to ask for container metadata, in order (DRIFTLOCK_CRI_ADDRESS, comma-separated). */
  criAddresses: z.array(z.string().min(1)).min(1),
  dockerSocket: z.string().min(1),
  procRoot: z.string().min(1),
  hostname: z.string().min(1).max(253),
  node: z.string().min(1).max(253),
  cluster: z.string().max(253).nullable(),
  kind: AgentKind,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  heartbeatSeconds: z.number().int().min(1).max(3600),
  /** Exited processes kept for storylines; the live ones are always kept. */
  maxExitedProcesses: z.number().int().min(100).max(1_000_000),
  eventBatchMs: z.number().int().min(50).max(60_000),
  /** Longest a threat waits for its container's metadata before it is sent without it. */
  metadataWaitMs: z.number().int().min(0).max(60_000),
  /** process_events batches kept on disk while the server is away; threats are never dropped. */
  maxQueuedEventBatches: z.number().int().min(1).max(1_000_000),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/** Flags as commander hands them over: every field optional, strings as typed. */
export interface ConfigFlags {
  stateDir?: string;
  server?: string;
  token?: string;
  sensor?: string;
  logLevel?: string;
}

type Env = Record<string, string | undefined>;

/** The loader next to the repository's bpf/ folder, or the packaged location. */
function defaultSensorPath(): string {
  return path.resolve(__dirname, '..', '..', '..', '..', 'bpf', 'build', 'driftlock-sensor');
}

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be an integer, got '${value}'`);
  return n;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`config: ${message}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): AgentConfig {
  const hostname = env.DRIFTLOCK_HOSTNAME ?? os.hostname();
  const cluster = env.DRIFTLOCK_CLUSTER || null;
  const raw = {
    stateDir: flags.stateDir ?? env.DRIFTLOCK_STATE_DIR ?? '/var/lib/driftlock-agent',
    server: flags.server ?? env.DRIFTLOCK_SERVER ?? null,
    enrollToken: flags.token ?? (env.DRIFTLOCK_ENROLL_TOKEN || null),
    sensorPath: flags.sensor ?? env.DRIFTLOCK_SENSOR_PATH ?? defaultSensorPath(),
    criAddresses: (env.DRIFTLOCK_CRI_ADDRESS || 'unix:///run/containerd/containerd.sock')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    dockerSocket: env.DRIFTLOCK_DOCKER_SOCKET ?? '/var/run/docker.sock',
    procRoot: env.DRIFTLOCK_PROC_ROOT ?? '/proc',
    hostname,
    // The DaemonSet passes spec.nodeName, which can differ from the host's name.
    node: env.DRIFTLOCK_NODE_NAME || hostname,
    cluster,
    kind: env.DRIFTLOCK_KIND ?? (cluster !== null ? 'kubernetes' : 'linux'),
    logLevel: flags.logLevel ?? env.DRIFTLOCK_LOG_LEVEL ?? 'info',
    heartbeatSeconds: int(env.DRIFTLOCK_HEARTBEAT_SECONDS, 'DRIFTLOCK_HEARTBEAT_SECONDS') ?? 10,
    maxExitedProcesses:
      int(env.DRIFTLOCK_MAX_EXITED_PROCESSES, 'DRIFTLOCK_MAX_EXITED_PROCESSES') ?? 20_000,
    eventBatchMs: int(env.DRIFTLOCK_EVENT_BATCH_MS, 'DRIFTLOCK_EVENT_BATCH_MS') ?? 1000,
    metadataWaitMs: int(env.DRIFTLOCK_METADATA_WAIT_MS, 'DRIFTLOCK_METADATA_WAIT_MS') ?? 5000,
    maxQueuedEventBatches:
      int(env.DRIFTLOCK_MAX_QUEUED_EVENT_BATCHES, 'DRIFTLOCK_MAX_QUEUED_EVENT_BATCHES') ?? 10_000,
  };
  const parsed = AgentConfig.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(issues.join('; '));
  }
  return parsed.data;
}

/** The config as it may appear in a log line: secrets replaced by their length. */
export function maskedConfig(config: AgentConfig): Record<string, unknown> {
  return {
    ...config,
    enrollToken: config.enrollToken === null ? null : `***(${config.enrollToken.length})`,
  };
}

/** Where the agent keeps each piece of its state, under stateDir. */
export function statePaths(stateDir: string) {
  return {
    credentials: path.join(stateDir, 'credentials.json'),
    status: path.join(stateDir, 'status.json'),
    outbox: path.join(stateDir, 'outbox'),
    quarantine: path.join(stateDir, 'quarantine'),
    policy: path.join(stateDir, 'policy.json'),
  };
}
