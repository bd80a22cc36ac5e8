import * as http from 'http';
import type { AddressInfo } from 'net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  AGENT_WS_PATH,
  AgentMessage,
  EnrollRequest,
  PROTOCOL_VERSION,
  ServerFrame,
} from '@driftlock/protocol';

/**
 * A real WebSocket server speaking the server side of the agent protocol, on 127.0.0.1: it
 * validates every frame, stores messages by id once (as the real server does) and acks them.
 */
export class AgentServer {
  readonly received: AgentMessage[] = [];
  readonly stored = new Map<string, AgentMessage>();
  readonly authorizations: string[] = [];
  /** When set, frames are recorded but not acked. */
  holdAcks = false;
  /** Answer the upgrade with this HTTP status instead of accepting it. */
  rejectWith: number | null = null;
  /** The enrollment token `POST /api/v1/agents/enroll` accepts, and the credentials it hands out. */
  enrollment: { token: string; agentId: string; secret: string } | null = null;
  private readonly http = http.createServer();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly waiters: (() => void)[] = [];

  /** Listens on 127.0.0.1, on `port` when given (a server coming back at its old address). */
  async listen(port = 0): Promise<string> {
    this.http.on('request', (request, response) => this.enroll(request, response));
    this.http.on('upgrade', (request, socket, head) => {
      this.authorizations.push(request.headers.authorization ?? '');
      if (this.rejectWith !== null || request.url !== AGENT_WS_PATH) {
        socket.end(`HTTP/1.1 ${this.rejectWith ?? 404} Refused\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    });
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get sockets(): WebSocket[] {
    return [...this.wss.clients];
  }

  send(frame: ServerFrame): void {
    for (const ws of this.wss.clients) ws.send(JSON.stringify(frame));
  }

  /** Drops every connection the hard way, as a crashed server or a cut cable would. */
  dropConnections(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  ofType<T extends AgentMessage['type']>(type: T): Extract<AgentMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<AgentMessage, { type: T }> => m.type === type);
  }

  /** Resolves once `predicate` holds, re-checked on every frame. */
  async until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`agent server: condition not met within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private enroll(request: http.IncomingMessage, response: http.ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const enrollment = this.enrollment;
      if (request.method !== 'POST' || request.url !== '/api/v1/agents/enroll' || !enrollment) {
        response.writeHead(404).end();
        return;
      }
      const { token } = EnrollRequest.parse(JSON.parse(body));
      if (token !== enrollment.token) {
        response.writeHead(401).end();
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ agentId: enrollment.agentId, secret: enrollment.secret }));
    });
  }

  private accept(ws: WebSocket): void {
    ws.on('message', (data) => {
      const message = AgentMessage.parse(JSON.parse(data.toString()));
      this.received.push(message);
      const duplicate = this.stored.has(message.id);
      if (!duplicate) this.stored.set(message.id, message);
      if (!this.holdAcks) {
        ws.send(
          JSON.stringify({
            v: PROTOCOL_VERSION,
            type: 'ack',
            id: message.id,
            seq: message.seq,
            duplicate,
          }),
        );
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
}
