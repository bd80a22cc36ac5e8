import { LIVE_NAMESPACE, type LiveEvents, type ThreatSummary } from '@driftlock/protocol';
import { io, type Socket } from 'socket.io-client';
import { bootServer, createTestApp, type RunningServer, type TestApp } from '../../test/harness';
import { LISTENER_APPLICATION_NAME } from '../events/event-bus.service';
import { api, enrolledAgent } from '../../test/fleet-fixtures';
import {
  helloMessage,
  isPolicy,
  TestAgent,
  threatMessage,
  threatReport,
} from '../../test/test-agent';

type LiveSocket = Socket<LiveEvents>;

function connectConsole(baseUrl: string, cookie?: string): Promise<LiveSocket> {
  const socket: LiveSocket = io(`${baseUrl}${LIVE_NAMESPACE}`, {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

function nextEvent<E extends keyof LiveEvents>(
  socket: LiveSocket,
  event: E,
  match: (...args: Parameters<LiveEvents[E]>) => boolean,
  timeoutMs = 3000,
): Promise<Parameters<LiveEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching ${event} event within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const listener = (...args: Parameters<LiveEvents[E]>) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args);
    };
    socket.on(event, listener as never);
  });
}

describe('two server replicas on one database', () => {
  let a: TestApp;
  let b: RunningServer;
  let admin: string;

  beforeAll(async () => {
    a = await createTestApp();
    b = await bootServer(a.databaseUrl);
    admin = await a.login('admin');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('pushes a policy change made through one replica to an agent connected to the other', async () => {
    const creds = await enrolledAgent(a.url, admin);
    const agent = await TestAgent.connect(b.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    const initial = await agent.waitFor(isPolicy);
    const seen = agent.frames.length;

    const res = await api(a.url, admin, 'PUT', '/policy/default', {
      enabled: false,
      mode: 'protect',
    });
    expect(res.status).toBe(200);
    const pushed = await agent.waitFor(isPolicy, 2000, seen);
    expect(pushed.policy).toMatchObject({
      version: initial.policy.version + 1,
      default: { enabled: false },
    });
    await agent.close();
  });

  it('shows a threat sent to one replica live on a console connected to the other', async () => {
    const consoleSocket = await connectConsole(b.url, await a.login('viewer'));
    const creds = await enrolledAgent(a.url, admin);
    const agent = await TestAgent.connect(a.url, creds.agentId, creds.secret);
    const report = threatReport({ commandLine: './minerd --live' });
    const live = nextEvent(
      consoleSocket,
      'threat.created',
      (t: ThreatSummary) => t.commandLine === './minerd --live',
    );
    await agent.request(threatMessage(agent, report));
    const [threat] = await live;
    expect(threat).toMatchObject({
      mitigation: 'killed_quarantined',
      agentId: creds.agentId,
      status: 'unresolved',
    });

    const updated = nextEvent(
      consoleSocket,
      'threat.updated',
      (t: ThreatSummary) => t.id === threat.id,
    );
    await api(a.url, await a.login('analyst'), 'PATCH', `/threats/${threat.id}`, {
      status: 'resolved',
    });
    expect((await updated)[0].status).toBe('resolved');
    await agent.close();
    consoleSocket.close();
  });

  it('resends the current policy to its agents after its listening connection was cut', async () => {
    const creds = await enrolledAgent(a.url, admin);
    const agent = await TestAgent.connect(b.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    await agent.waitFor(isPolicy);
    const seen = agent.frames.length;
    // Cut every replica's listener; a change made meanwhile reaches the agent on reconnect.
    await a.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = $1 AND datname = current_database()`,
      [LISTENER_APPLICATION_NAME],
    );
    await api(a.url, admin, 'PUT', '/policy/default', { enabled: true, mode: 'detect' });
    const pushed = await agent.waitFor(
      (f): f is Extract<typeof f, { type: 'policy' }> =>
        isPolicy(f) && f.policy.default.mode === 'detect',
      5000,
      seen,
    );
    expect(pushed.policy.default).toEqual({ enabled: true, mode: 'detect' });
    await agent.close();
  });

  it('tells a console on the other replica about policy changes and agents coming online', async () => {
    const consoleSocket = await connectConsole(b.url, await a.login('viewer'));
    const policy = nextEvent(consoleSocket, 'policy.changed', (p) => p.default.mode === 'protect');
    await api(a.url, admin, 'PUT', '/policy/default', { enabled: true, mode: 'protect' });
    expect((await policy)[0]).toMatchObject({ default: { enabled: true, mode: 'protect' } });

    const creds = await enrolledAgent(a.url, admin, 'status-node');
    const online = nextEvent(
      consoleSocket,
      'agent.status',
      (agent) => agent.id === creds.agentId && agent.status === 'online',
    );
    const agent = await TestAgent.connect(a.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    expect((await online)[0]).toMatchObject({ hostname: 'node-1', status: 'online' });
    const offline = nextEvent(
      consoleSocket,
      'agent.status',
      (a) => a.id === creds.agentId && a.status === 'offline',
    );
    await agent.close();
    await offline;
    consoleSocket.close();
  });

  it('refuses a live console without a session', async () => {
    await expect(connectConsole(b.url)).rejects.toThrow(/sign in/);
  });
});
