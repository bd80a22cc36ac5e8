import {
  AGENT_WS_PATH,
  agentBearer,
  PROTOCOL_VERSION,
  ServerFrame,
  type AgentMessage,
  type AckFrame,
  type ErrorFrame,
  type ProcessEvent,
  type ThreatReport,
} from '@driftlock/protocol';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

/**
 * A scripted agent for integration tests: enrolls over REST, talks the real protocol over a
 * real WebSocket, and records every frame the server sends.
 */
export class TestAgent {
  readonly frames: ServerFrame[] = [];
  closeCode: number | null = null;
  private seq = 0;
  private waiters: (() => void)[] = [];
  private readonly closed: Promise<number>;

  private constructor(
    readonly agentId: string,
    readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      this.frames.push(ServerFrame.parse(JSON.parse(String(data))));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const wake of this.waiters.splice(0)) wake();
        resolve(code);
      }),
    );
  }

  /** Opens the agent socket; rejects with `HTTP <status>` when the server refuses the upgrade. */
  static connect(baseUrl: string, agentId: string, secret: string): Promise<TestAgent> {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + AGENT_WS_PATH, {
      headers: { authorization: agentBearer(agentId, secret) },
    });
    return new Promise((resolve, reject) => {
      const agent = new TestAgent(agentId, ws);
      ws.once('open', () => resolve(agent));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  nextSeq(): number {
    return ++this.seq;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a message and waits for the server's answer to it (ack or error). */
  async request(msg: AgentMessage): Promise<AckFrame | ErrorFrame> {
    const from = this.frames.length;
    this.ws.send(JSON.stringify(msg));
    return this.waitFor(
      (f): f is AckFrame | ErrorFrame =>
        (f.type === 'ack' && f.id === msg.id) || (f.type === 'error' && f.ref === msg.id),
      5000,
      from,
    );
  }

  /** The first frame from index `from` on (received so far or later) that matches. */
  async waitFor<T extends ServerFrame>(
    match: (f: ServerFrame) => f is T,
    timeoutMs = 5000,
    from = 0,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.closeCode !== null) {
        throw new Error(`socket closed (${this.closeCode}) before the expected frame arrived`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the close code, or rejects when the socket is still open after the timeout. */
  async closedWithin(timeoutMs = 5000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`socket still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closeCode !== null) return;
    this.ws.close();
    await this.closed;
  }
}

// --- message builders: valid messages with sensible defaults ---------------------------------

interface Envelope {
  v: typeof PROTOCOL_VERSION;
  id: string;
  seq: number;
  sentAt: string;
}

function envelope(agent: TestAgent, id: string = randomUUID()): Envelope {
  return { v: PROTOCOL_VERSION, id, seq: agent.nextSeq(), sentAt: new Date().toISOString() };
}

export function helloMessage(agent: TestAgent, policyVersion: number | null = null): AgentMessage {
  return {
    ...envelope(agent),
    type: 'hello',
    agent: {
      version: '0.1.0-test',
      hostname: 'node-1',
      kind: 'kubernetes',
      cluster: 'prod',
      node: 'node-1',
      kernel: '6.1.0-test',
    },
    capabilities: { inKernelKill: true, btf: true, runtimes: ['containerd'] },
    policyVersion,
  };
}

export function heartbeatMessage(agent: TestAgent): AgentMessage {
  return {
    ...envelope(agent),
    type: 'heartbeat',
    stats: {
      eventsSeen: 10,
      eventsDropped: 0,
      threats: 1,
      outboxLength: 0,
      rssBytes: 50_000_000,
      cpuPercent: 1.5,
      containers: 3,
      policyVersion: 1,
    },
  };
}

export function execEvent(
  processId: string,
  parent: string | null,
  exe: string,
  storylineId = 'story-1',
  startedAt = new Date().toISOString(),
): ProcessEvent {
  return {
    kind: 'exec',
    eventId: `ev-${processId}-${randomUUID()}`,
    process: {
      processId,
      parentProcessId: parent,
      storylineId,
      pid: 100 + Math.floor(Math.random() * 30000),
      ppid: 1,
      exe,
      args: [exe],
      argsTruncated: false,
      cwd: '/app',
      uid: 0,
      user: 'root',
      startedAt,
      exitedAt: null,
      exitCode: null,
      signal: null,
      flags: [],
      containerId: 'c0ffee',
      origin: parent === null ? 'kubectl_exec' : null,
    },
  };
}

export function processEventsMessage(
  agent: TestAgent,
  events: ProcessEvent[],
  id?: string,
): AgentMessage {
  return { ...envelope(agent, id), type: 'process_events', events };
}

export interface ThreatOptions {
  threatId?: string;
  namespace?: string;
  podName?: string;
  image?: string;
  detectedAt?: string;
  commandLine?: string;
  quarantineId?: string | null;
}

/** The reference story's threat: `./minerd` killed and quarantined in a kubectl exec session. */
export function threatReport(o: ThreatOptions = {}): ThreatReport {
  const at = o.detectedAt ?? new Date().toISOString();
  const sha = 'a'.repeat(64);
  const node = (processId: string, parent: string | null, exe: string, args: string[]) => ({
    processId,
    parentProcessId: parent,
    storylineId: 'story-1',
    pid: 4000 + processId.length,
    ppid: 1,
    exe,
    args,
    argsTruncated: false,
    cwd: '/app',
    uid: 0,
    user: 'root',
    startedAt: at,
    exitedAt: null,
    exitCode: null,
    signal: null,
    flags: [],
    containerId: 'c0ffee',
    origin: parent === null ? ('kubectl_exec' as const) : null,
  });
  return {
    threatId: o.threatId ?? `threat-${randomUUID()}`,
    detectedAt: at,
    engine: 'application_control',
    driftClass: 'new_binary',
    mode: 'protect',
    commandLine: o.commandLine ?? './minerd',
    processId: 'p-minerd',
    file: { path: '/app/minerd', size: 1234, sha256: sha },
    mitigations: [
      {
        action: 'kill',
        outcome: 'succeeded',
        detail: 'killed in kernel before first instruction',
        at,
        exitCode: 137,
        killedInKernel: true,
        quarantineId: null,
        sha256: null,
        size: null,
      },
      ...(o.quarantineId === null
        ? []
        : [
            {
              action: 'quarantine' as const,
              outcome: 'succeeded' as const,
              detail: 'moved to quarantine',
              at,
              exitCode: null,
              killedInKernel: false,
              quarantineId: o.quarantineId ?? `q-${randomUUID()}`,
              sha256: sha,
              size: 1234,
            },
          ]),
    ],
    container: {
      id: 'c0ffee',
      name: 'web',
      runtime: 'containerd',
      image: o.image ?? 'docker.io/library/node-web-app:1.0',
      imageDigest: null,
      startedAt: at,
    },
    kubernetes: {
      podName: o.podName ?? 'node-web-app-7d9f',
      podUid: 'uid-1',
      namespace: o.namespace ?? 'default',
      podLabels: { app: 'node-web-app' },
      containerName: 'web',
      node: 'node-1',
      cluster: 'prod',
    },
    storyline: {
      storylineId: 'story-1',
      origin: 'kubectl_exec',
      processes: [
        node('p-bash', null, '/bin/bash', ['bash']),
        node('p-minerd', 'p-bash', '/app/minerd', ['./minerd']),
      ],
    },
  };
}

export function threatMessage(agent: TestAgent, threat: ThreatReport, id?: string): AgentMessage {
  return { ...envelope(agent, id), type: 'threat', threat };
}

export const isAck = (f: ServerFrame): f is AckFrame => f.type === 'ack';
export const isError = (f: ServerFrame): f is ErrorFrame => f.type === 'error';
export const isPolicy = (f: ServerFrame): f is Extract<ServerFrame, { type: 'policy' }> =>
  f.type === 'policy';
export const isCommand = (f: ServerFrame): f is Extract<ServerFrame, { type: 'command' }> =>
  f.type === 'command';
