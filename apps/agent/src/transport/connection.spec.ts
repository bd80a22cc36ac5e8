import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PolicyDocument, PROTOCOL_VERSION } from '@driftlock/protocol';
import { AgentServer } from '../../test/support/agent-server';
import { sampleThreat } from '../../test/support/fixtures';
import { backoffDelay, ConnectionHandlers, ServerConnection } from './connection';
import { Outbox } from './outbox';

const AGENT_ID = '6f1c1a52-59c8-4a3c-9d7e-3f0f5e0c0a11';
const POLICY: PolicyDocument = {
  version: 7,
  default: { enabled: true, mode: 'protect' },
  overrides: [
    { scope: 'namespace', cluster: null, namespace: 'dev', enabled: true, mode: 'detect' },
  ],
  exceptions: [],
};

describe('ServerConnection', () => {
  let dir: string;
  let outbox: Outbox;
  let server: AgentServer;
  let url: string;
  let connection: ServerConnection | null;
  const states: { connected: boolean; lastError: string | null }[] = [];
  const policies: PolicyDocument[] = [];

  function handlers(overrides: Partial<ConnectionHandlers> = {}): ConnectionHandlers {
    return {
      hello: () => ({
        agent: {
          version: 'test',
          hostname: 'node-1',
          kind: 'kubernetes',
          cluster: 'prod',
          node: 'node-1',
          kernel: os.release(),
        },
        capabilities: { inKernelKill: true, btf: true, runtimes: ['containerd'] },
        policyVersion: null,
      }),
      stats: () => ({
        eventsSeen: 42,
        eventsDropped: 0,
        threats: 1,
        outboxLength: outbox.length,
        rssBytes: 1000,
        cpuPercent: 0.5,
        containers: 3,
        policyVersion: null,
      }),
      onPolicy: async (policy) => {
        policies.push(policy);
      },
      onCommand: async (command) => ({
        outcome: 'succeeded',
        detail: `restored ${command.quarantineId}`,
      }),
      onStateChange: (state) => states.push(state),
      log: () => undefined,
      ...overrides,
    };
  }

  function start(h = handlers(), heartbeatMs = 60_000): ServerConnection {
    connection = new ServerConnection(
      { server: url, agentId: AGENT_ID, secret: 's3cret' },
      outbox,
      h,
      {
        heartbeatMs,
        initialBackoffMs: 20,
        maxBackoffMs: 200,
        window: 4,
      },
    );
    connection.start();
    return connection;
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-connection-'));
    outbox = Outbox.open(dir, { maxEventBatches: 10 });
    server = new AgentServer();
    url = await server.listen();
    connection = null;
    states.length = 0;
    policies.length = 0;
  });

  afterEach(async () => {
    await connection?.stop();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says hello first, then sends heartbeats with the agent stats', async () => {
    start(handlers(), 50);
    await server.until(() => server.ofType('heartbeat').length >= 2);
    expect(server.received[0]).toMatchObject({ type: 'hello', seq: 0, agent: { cluster: 'prod' } });
    expect(server.ofType('heartbeat')[0].stats).toMatchObject({ eventsSeen: 42, containers: 3 });
  });

  it('resends what was not acked after the connection drops, in order, and nothing that was acked', async () => {
    for (let n = 1; n <= 3; n++) outbox.append({ type: 'threat', threat: sampleThreat(n) });
    start();
    await server.until(() => outbox.length === 0);

    server.holdAcks = true;
    for (let n = 4; n <= 10; n++) outbox.append({ type: 'threat', threat: sampleThreat(n) });
    connection?.flush();
    // The window lets 4 go ahead of their acks; none is acked before the drop.
    await server.until(() => server.ofType('threat').length === 7);
    server.holdAcks = false;
    server.dropConnections();
    await server.until(() => outbox.length === 0);

    const ids = server.ofType('threat').map((m) => m.threat.threatId);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10].map((n) => `threat-${n}`));
    expect([...server.stored.values()].filter((m) => m.type === 'threat')).toHaveLength(10);
    expect(states.map((s) => s.connected)).toEqual([true, false, true]);
  });

  it('applies a policy frame and answers policy_applied with its version', async () => {
    start();
    await server.until(() => server.received.length > 0);
    server.send({ v: PROTOCOL_VERSION, type: 'policy', policy: POLICY });
    await server.until(() => server.ofType('policy_applied').length === 1);
    expect(policies).toEqual([POLICY]);
    expect(server.ofType('policy_applied')[0].version).toBe(7);
  });

  it('runs a command and reports its result', async () => {
    start();
    await server.until(() => server.received.length > 0);
    const commandId = '0d3f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    server.send({
      v: PROTOCOL_VERSION,
      type: 'command',
      commandId,
      command: 'quarantine_restore',
      quarantineId: 'q-1',
    });
    await server.until(() => server.ofType('command_result').length === 1);
    expect(server.ofType('command_result')[0]).toMatchObject({
      commandId,
      outcome: 'succeeded',
      detail: 'restored q-1',
    });
  });

  it('reports a failed command with its error', async () => {
    start(
      handlers({
        onCommand: async () =>
          Promise.reject(new Error('quarantine: no quarantined file q-9: ENOENT')),
      }),
    );
    await server.until(() => server.received.length > 0);
    const commandId = '1d3f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    server.send({
      v: PROTOCOL_VERSION,
      type: 'command',
      commandId,
      command: 'quarantine_delete',
      quarantineId: 'q-9',
    });
    await server.until(() => server.ofType('command_result').length === 1);
    expect(server.ofType('command_result')[0]).toMatchObject({
      outcome: 'failed',
      detail: 'quarantine: no quarantined file q-9: ENOENT',
    });
  });

  it('drops a message the server rejects as invalid instead of blocking the outbox', async () => {
    server.holdAcks = true;
    const poisoned = outbox.append({ type: 'policy_applied', version: 1 });
    outbox.append({ type: 'threat', threat: sampleThreat(1) });
    start();
    await server.until(() => server.ofType('threat').length === 1);
    server.send({
      v: PROTOCOL_VERSION,
      type: 'error',
      code: 'invalid_frame',
      message: 'no such policy',
      ref: poisoned!.id,
    });
    await server.until(() => outbox.length === 1);
    expect([...outbox.pending()].map((m) => m.type)).toEqual(['threat']);
  });

  it('sends a message again when the server could not store it', async () => {
    server.holdAcks = true;
    outbox.append({ type: 'threat', threat: sampleThreat(1) });
    start();
    await server.until(() => server.ofType('threat').length === 1);
    const [first] = server.ofType('threat');
    server.holdAcks = false;
    server.send({
      v: PROTOCOL_VERSION,
      type: 'error',
      code: 'internal',
      message: 'threat was not stored; resend it',
      ref: first.id,
    });
    await server.until(() => outbox.length === 0);
    expect(server.ofType('threat').map((m) => m.id)).toEqual([first.id, first.id]);
  });

  it('says the credentials were refused when the server answers 401, and keeps trying', async () => {
    server.rejectWith = 401;
    start();
    await server.until(() => server.authorizations.length >= 3);
    expect(states.at(-1)).toEqual({
      connected: false,
      lastError: expect.stringContaining(
        "the server refused this agent's credentials (401): re-enroll the agent",
      ),
    });
  });
});

describe('backoffDelay', () => {
  const options = { heartbeatMs: 1, initialBackoffMs: 500, maxBackoffMs: 30_000, window: 1 };

  it('doubles up to the ceiling and jitters within its upper half', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(250);
    expect(backoffDelay(0, options, () => 1)).toBe(500);
    expect(backoffDelay(3, options, () => 1)).toBe(4000);
    expect(backoffDelay(20, options, () => 0)).toBe(15_000);
    expect(backoffDelay(20, options, () => 1)).toBe(30_000);
  });
});
