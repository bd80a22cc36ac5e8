import { randomUUID } from 'crypto';
import WebSocket from 'ws';
import {
  AGENT_WS_PATH,
  AgentMessage,
  agentBearer,
  AgentStats,
  CommandFrame,
  ErrorFrame,
  HelloMessage,
  MAX_FRAME_BYTES,
  PolicyDocument,
  PROTOCOL_VERSION,
  ServerFrame,
} from '@driftlock/protocol';
import type { z } from 'zod';
import type { Outbox, OutboxBody } from './outbox';

export interface Credentials {
  server: string;
  agentId: string;
  secret: string;
}

type HelloBody = Pick<z.infer<typeof HelloMessage>, 'agent' | 'capabilities' | 'policyVersion'>;

export interface ConnectionHandlers {
  hello: () => HelloBody;
  stats: () => AgentStats;
  /** Applies a policy to the sensor; resolves once it is in force. */
  onPolicy: (policy: PolicyDocument) => Promise<void>;
  onCommand: (
    command: CommandFrame,
  ) => Promise<{ outcome: 'succeeded' | 'failed'; detail: string }>;
  onStateChange?: (state: { connected: boolean; lastError: string | null }) => void;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
}

export interface ConnectionOptions {
  heartbeatMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Outbox messages sent ahead of their acks. */
  window: number;
}

export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
  heartbeatMs: 10_000,
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  window: 256,
};

const RESEND_AFTER_ERROR_MS = 1000;

/** ws://host/agents/ws from the server's http(s) base URL. */
export function agentSocketUrl(server: string): string {
  const url = new URL(AGENT_WS_PATH, server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Full jitter on an exponential backoff: a fleet of agents that lost the server at once does
 * not come back in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: ConnectionOptions,
  random = Math.random,
): number {
  const ceiling = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The agent's WebSocket to the server. Outbox messages are sent in sequence order, resent from
 * the oldest un-acked one after every reconnect, and removed only when acked; hello and
 * heartbeats are not queued (seq 0): a stale heartbeat is worth nothing.
 */
export class ServerConnection {
  private socket: WebSocket | null = null;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** Highest outbox seq sent on this socket; the next send continues after it. */
  private sentUpTo = 0;
  private inFlight = 0;
  private lastError: string | null = null;

  constructor(
    private readonly credentials: Credentials,
    private readonly outbox: Outbox,
    private readonly handlers: ConnectionHandlers,
    private readonly options: ConnectionOptions = DEFAULT_CONNECTION_OPTIONS,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000, 'agent stopping');
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  /** Call after appending to the outbox: sends at once when connected, else on reconnect. */
  flush(): void {
    if (!this.connected || !this.socket) return;
    for (const message of this.outbox.pending(this.sentUpTo + 1)) {
      if (this.inFlight >= this.options.window) return;
      this.socket.send(JSON.stringify(message));
      this.sentUpTo = message.seq;
      this.inFlight += 1;
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const url = agentSocketUrl(this.credentials.server);
    const socket = new WebSocket(url, {
      headers: { authorization: agentBearer(this.credentials.agentId, this.credentials.secret) },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    let refused = false;
    socket.on('open', () => this.onOpen(socket));
    socket.on('message', (data) => this.onFrame(data.toString()));
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      const reason =
        status === 401 || status === 403
          ? `the server refused this agent's credentials (${status}): re-enroll the agent`
          : `the server answered the upgrade with HTTP ${status}`;
      this.setError(`transport: ${url}: ${reason}`);
      refused = true;
      socket.terminate();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Terminating a refused upgrade raises an error of its own that says less than the refusal.
      if (!refused) this.setError(`transport: ${url}: ${error.code ?? error.message}`);
    });
    socket.on('close', () => this.onClose(socket));
  }

  private onOpen(socket: WebSocket): void {
    this.connected = true;
    this.attempt = 0;
    this.sentUpTo = 0;
    this.inFlight = 0;
    this.lastError = null;
    this.handlers.onStateChange?.({ connected: true, lastError: null });
    this.handlers.log('info', `transport: connected to ${agentSocketUrl(this.credentials.server)}`);
    this.sendEphemeral(socket, { type: 'hello', ...this.handlers.hello() });
    this.flush();
    this.heartbeatTimer = setInterval(() => {
      this.sendEphemeral(socket, { type: 'heartbeat', stats: this.handlers.stats() });
    }, this.options.heartbeatMs);
  }

  private onClose(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    const wasConnected = this.connected;
    this.connected = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (wasConnected) this.handlers.log('warn', 'transport: connection to the server closed');
    this.handlers.onStateChange?.({ connected: false, lastError: this.lastError });
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.options);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private setError(message: string): void {
    if (message !== this.lastError) this.handlers.log('warn', message);
    this.lastError = message;
  }

  private sendEphemeral(
    socket: WebSocket,
    body: Extract<OutboxBody, { type: 'hello' | 'heartbeat' }>,
  ): void {
    const message = AgentMessage.parse({
      ...body,
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      seq: 0,
      sentAt: new Date().toISOString(),
    });
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  private onFrame(text: string): void {
    let frame: ServerFrame;
    try {
      frame = ServerFrame.parse(JSON.parse(text));
    } catch (error) {
      this.handlers.log(
        'warn',
        `transport: ignoring an invalid server frame: ${(error as Error).message.slice(0, 300)}`,
      );
      return;
    }
    switch (frame.type) {
      case 'ack':
        if (frame.seq > 0 && this.outbox.ack(frame.seq)) {
          this.inFlight = Math.max(0, this.inFlight - 1);
          this.flush();
        }
        return;
      case 'error':
        this.handlers.log(
          'warn',
          `transport: server error ${frame.code} (ref ${frame.ref ?? '-'}): ${frame.message}`,
        );
        if (frame.ref !== null) this.onRejected(frame.code, frame.ref);
        return;
      case 'policy':
        void this.applyPolicy(frame.policy);
        return;
      case 'command':
        void this.runCommand(frame);
        return;
    }
  }

  /**
   * A message the server can never accept (invalid, or naming what this agent does not own)
   * would block the outbox forever: it is dropped, loudly. One the server failed to store is
   * sent again after a pause.
   */
  private onRejected(code: ErrorFrame['code'], ref: string): void {
    if (code === 'internal') {
      setTimeout(() => this.resend(ref), RESEND_AFTER_ERROR_MS).unref();
      return;
    }
    if (code !== 'invalid_frame' && code !== 'forbidden') return;
    const dropped = this.outbox.dropById(ref);
    if (!dropped) return;
    this.handlers.log(
      'error',
      `transport: dropped ${dropped.type} seq ${dropped.seq}: the server refuses it (${code})`,
    );
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.flush();
  }

  private resend(id: string): void {
    const message = this.outbox.find(id);
    if (message && this.connected && this.socket) this.socket.send(JSON.stringify(message));
  }

  private async applyPolicy(policy: PolicyDocument): Promise<void> {
    try {
      await this.handlers.onPolicy(policy);
      this.outbox.append({ type: 'policy_applied', version: policy.version });
      this.flush();
    } catch (error) {
      this.handlers.log(
        'error',
        `transport: cannot apply policy v${policy.version}: ${(error as Error).message}`,
      );
    }
  }

  private async runCommand(command: CommandFrame): Promise<void> {
    let result: { outcome: 'succeeded' | 'failed'; detail: string };
    try {
      result = await this.handlers.onCommand(command);
    } catch (error) {
      result = { outcome: 'failed', detail: (error as Error).message };
    }
    this.outbox.append({
      type: 'command_result',
      commandId: command.commandId,
      outcome: result.outcome,
      detail: result.detail.slice(0, 2000),
    });
    this.flush();
  }
}
