import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  AGENT_WS_PATH,
  AgentMessage,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type ErrorFrame,
} from '@driftlock/protocol';
import { STATUS_CODES, type Server } from 'node:http';
import { WebSocketServer, type RawData } from 'ws';
import { AgentsService } from '../agents/agents.service';
import { errorText } from '../events/errors';
import { EventBus } from '../events/event-bus.service';
import type { FleetEvent } from '../events/fleet-event';
import { LIVE_SOCKET_PATH } from '../live/live-path';
import { PoliciesService } from '../policies/policies.service';
import { QuarantineService } from '../quarantine/quarantine.service';
import { AgentConnection } from './agent-connection';
import { AgentIngestService, type IngestOutcome } from './agent-ingest.service';
import {
  agentsConnected,
  framesReceived,
  framesRejected,
  upgradesRejected,
} from './gateway.metrics';

/** Close codes the agent acts on: stop for good (decommissioned) or just reconnect (replaced). */
export const CLOSE_DECOMMISSIONED = 4403;
export const CLOSE_REPLACED = 4409;
const MAX_ISSUES_IN_ERROR = 5;
const PING_INTERVAL_MS = 30_000;

/**
 * The agent gateway: WebSocket at /agents/ws on the server's own HTTP port. Credentials are
 * checked before the upgrade, every frame is validated against the protocol, and what an agent
 * sends is stored under its own id only (the socket's identity, never a field of the frame).
 */
@Injectable()
export class AgentGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly connections = new Map<string, AgentConnection>();
  private server: Server | null = null;
  private stopping = false;
  private pingTimer: NodeJS.Timeout | null = null;
  /** Disconnects still being written, awaited at shutdown so none races the pool's end. */
  private readonly disconnecting = new Set<Promise<void>>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly agents: AgentsService,
    private readonly policies: PoliciesService,
    private readonly quarantine: QuarantineService,
    private readonly ingest: AgentIngestService,
    private readonly events: EventBus,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.events.subscribe((e) => this.onFleetEvent(e));
    this.pingTimer = setInterval(() => this.pingAll(), PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /**
   * A host that vanished (power loss, network cut) leaves a half-open TCP socket that never
   * closes by itself; a missed ping ends it, so the agent shows offline and its slot is freed.
   */
  private pingAll(): void {
    for (const conn of this.connections.values()) {
      if (!conn.ping()) conn.ws.terminate();
    }
  }

  /** Closes this replica's agent sockets and marks those agents offline while the DB is up. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.server?.off('upgrade', this.onUpgrade);
    const open = [...this.connections.values()];
    this.connections.clear();
    for (const conn of open) conn.ws.close(1001, 'server shutting down');
    await Promise.all(open.map((c) => c.drained()));
    await Promise.all(open.map((c) => this.agents.recordDisconnected(c.agent.id)));
    await Promise.all(this.disconnecting);
    this.wss.close();
  }

  /** Every WebSocket upgrade of the server: the agent path is ours, socket.io's is the live
   * gateway's, anything else is refused (socket.io is told to leave foreign upgrades alone). */
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === LIVE_SOCKET_PATH || path.startsWith(`${LIVE_SOCKET_PATH}/`)) return;
    socket.on('error', (err) => this.logger.debug(`gateway: upgrade socket error: ${err.message}`));
    if (path !== AGENT_WS_PATH) return refuseUpgrade(socket, 404, `no WebSocket at ${path}`);
    this.agents
      .authenticate(req.headers.authorization)
      .then((auth) => {
        if (!auth.ok) return refuseUpgrade(socket, auth.status, auth.reason);
        const agent = { kind: 'agent' as const, id: auth.agent.id, name: auth.agent.hostname };
        this.wss.handleUpgrade(req, socket, head, (ws) =>
          this.accept(new AgentConnection(agent, ws)),
        );
      })
      .catch((err: unknown) => {
        this.logger.error(`gateway: cannot authenticate an agent: ${errorText(err)}`);
        refuseUpgrade(socket, 500, 'cannot check agent credentials');
      });
  };

  private accept(conn: AgentConnection): void {
    const { id } = conn.agent;
    this.connections.get(id)?.ws.close(CLOSE_REPLACED, 'replaced by a newer connection');
    this.connections.set(id, conn);
    agentsConnected.set(this.connections.size);
    conn.ws.on('message', (data, isBinary) =>
      conn.enqueue(() => this.onFrame(conn, data, isBinary)),
    );
    conn.ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        // ws has already closed the socket with 1009 (message too big): nothing was read.
        framesRejected.inc({ reason: 'frame_too_large' });
        this.logger.warn(`gateway: agent ${id} sent a frame over ${MAX_FRAME_BYTES} bytes`);
      } else {
        this.logger.warn(`gateway: agent ${id} socket error: ${err.message}`);
      }
    });
    conn.ws.on('close', () => {
      if (this.stopping || this.connections.get(id) !== conn) return;
      this.connections.delete(id);
      agentsConnected.set(this.connections.size);
      const recording = conn
        .drained()
        .then(() => this.agents.recordDisconnected(id))
        .catch((err: unknown) =>
          this.logger.error(`gateway: cannot record agent ${id} disconnect: ${errorText(err)}`),
        )
        .finally(() => this.disconnecting.delete(recording));
      this.disconnecting.add(recording);
    });
  }

  private async onFrame(conn: AgentConnection, data: RawData, isBinary: boolean): Promise<void> {
    const parsed = parseFrame(data, isBinary);
    if (!parsed.ok) {
      framesRejected.inc({ reason: parsed.reason });
      conn.send(errorFrame('invalid_frame', parsed.message, parsed.ref));
      return;
    }
    const msg = parsed.message;
    let outcome: IngestOutcome;
    try {
      outcome = await this.ingest.store(conn.agent, msg);
    } catch (err) {
      this.logger.error(`gateway: agent ${conn.agent.id} ${msg.type} ${msg.id}: ${errorText(err)}`);
      framesRejected.inc({ reason: 'internal' });
      conn.send(errorFrame('internal', `${msg.type} ${msg.id} was not stored; resend it`, msg.id));
      return;
    }
    if (outcome.kind === 'rejected') {
      framesRejected.inc({ reason: outcome.code });
      conn.send(errorFrame(outcome.code, outcome.message, msg.id));
      return;
    }
    framesReceived.inc({ type: msg.type });
    conn.send({
      v: PROTOCOL_VERSION,
      type: 'ack',
      id: msg.id,
      seq: msg.seq,
      duplicate: outcome.duplicate,
    });
    await this.afterAck(conn, msg).catch((err: unknown) =>
      this.logger.error(`gateway: agent ${conn.agent.id} after ${msg.type}: ${errorText(err)}`),
    );
  }

  /** What follows a stored frame; a failure here loses nothing the agent sent. */
  private async afterAck(conn: AgentConnection, msg: AgentMessage): Promise<void> {
    if (msg.type === 'hello') await this.sendStateAfterHello(conn, msg.policyVersion);
    else if (conn.touchDue()) await this.agents.touch(conn.agent.id);
  }

  /** The policy (when the agent runs another version) and the commands it has not answered. */
  private async sendStateAfterHello(conn: AgentConnection, agentVersion: number | null) {
    const policy = await this.policies.current();
    if (policy.version !== agentVersion) conn.send({ v: PROTOCOL_VERSION, type: 'policy', policy });
    for (const command of await this.quarantine.pendingCommands(conn.agent.id)) conn.send(command);
  }

  private async onFleetEvent(e: FleetEvent): Promise<void> {
    switch (e.type) {
      case 'policy.changed': {
        if (this.connections.size === 0) return;
        const policy = await this.policies.current();
        for (const conn of this.connections.values()) {
          conn.send({ v: PROTOCOL_VERSION, type: 'policy', policy });
        }
        return;
      }
      case 'agent.command': {
        const conn = this.connections.get(e.agentId);
        if (!conn) return;
        const command = await this.quarantine.pendingCommand(e.agentId, e.commandId);
        if (command) conn.send(command);
        return;
      }
      case 'agent.decommissioned':
        this.connections.get(e.agentId)?.ws.close(CLOSE_DECOMMISSIONED, 'agent decommissioned');
        return;
      case 'resync':
        for (const conn of this.connections.values()) await this.sendStateAfterHello(conn, null);
        return;
      default:
        return;
    }
  }
}

type ParsedFrame =
  | { ok: true; message: AgentMessage }
  | { ok: false; reason: 'binary' | 'json' | 'schema'; message: string; ref: string | null };

function parseFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) {
    return { ok: false, reason: 'binary', message: 'frames are JSON text, got binary', ref: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawText(data));
  } catch (err) {
    return { ok: false, reason: 'json', message: `not JSON: ${errorText(err)}`, ref: null };
  }
  const result = AgentMessage.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issues = result.error.issues
    .slice(0, MAX_ISSUES_IN_ERROR)
    .map((i) => `${i.path.join('.') || '(frame)'}: ${i.message}`)
    .join('; ');
  const id = (json as { id?: unknown } | null)?.id;
  return {
    ok: false,
    reason: 'schema',
    message: `invalid agent message: ${issues}`,
    ref: typeof id === 'string' ? id.slice(0, 128) : null,
  };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function errorFrame(code: ErrorFrame['code'], message: string, ref: string | null): ErrorFrame {
  return { v: PROTOCOL_VERSION, type: 'error', code, message, ref };
}

/** Answers the upgrade request with a plain HTTP error, so the agent sees why (401 vs 403). */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  upgradesRejected.inc({ status: String(status) });
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
