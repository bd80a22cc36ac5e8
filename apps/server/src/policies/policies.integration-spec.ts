import type { AuditEntry, PolicyChange, PolicyView } from '@driftlock/protocol';
import { effectiveSettings } from '@driftlock/protocol';
import { createTestApp, type TestApp } from '../../test/harness';
import { api, enrolledAgent } from '../../test/fleet-fixtures';
import { heartbeatMessage, helloMessage, isPolicy, TestAgent } from '../../test/test-agent';

describe('Application Control policy', () => {
  let t: TestApp;
  let analyst: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    analyst = await t.login('analyst');
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  it('pushes a changed default to a connected agent at once', async () => {
    const creds = await enrolledAgent(t.url, admin);
    const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    const first = await agent.waitFor(isPolicy);
    const seen = agent.frames.length;

    const res = await api<PolicyView>(t.url, analyst, 'PUT', '/policy/default', {
      enabled: true,
      mode: 'detect',
    });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(first.policy.version + 1);

    const pushed = await agent.waitFor(isPolicy, 2000, seen);
    expect(pushed.policy).toMatchObject({
      version: first.policy.version + 1,
      default: { enabled: true, mode: 'detect' },
    });
    await agent.close();
  });

  it('does not resend the policy to an agent that already runs the current version', async () => {
    const view = await api<PolicyView>(t.url, analyst, 'GET', '/policy');
    const creds = await enrolledAgent(t.url, admin);
    const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent, view.body.version));
    // Frames are answered in order: once the heartbeat is acked, any policy would have come.
    await agent.request(heartbeatMessage(agent));
    await agent.close();
    expect(agent.frames.filter(isPolicy)).toEqual([]);
  });

  it('keeps one override per scope, removes it on request, and versions every change', async () => {
    const put = (body: object) => api<PolicyView>(t.url, analyst, 'PUT', '/policy/overrides', body);
    await put({
      scope: 'namespace',
      cluster: null,
      namespace: 'payments',
      enabled: true,
      mode: 'protect',
    });
    await put({
      scope: 'namespace',
      cluster: null,
      namespace: 'payments',
      enabled: false,
      mode: 'protect',
    });
    const clustered = await put({
      scope: 'cluster',
      cluster: 'prod',
      enabled: true,
      mode: 'detect',
    });
    expect(clustered.body.overrides).toEqual([
      { scope: 'namespace', cluster: null, namespace: 'payments', enabled: false, mode: 'protect' },
      { scope: 'cluster', cluster: 'prod', enabled: true, mode: 'detect' },
    ]);
    expect(effectiveSettings(clustered.body, { cluster: 'prod', namespace: 'payments' })).toEqual({
      enabled: false,
      mode: 'protect',
    });

    const removed = await api<PolicyView>(
      t.url,
      analyst,
      'DELETE',
      '/policy/overrides?scope=namespace&namespace=payments',
    );
    expect(removed.status).toBe(200);
    expect(removed.body.overrides).toHaveLength(1);
    const missing = await api(
      t.url,
      analyst,
      'DELETE',
      '/policy/overrides?scope=cluster&cluster=nope',
    );
    expect(missing.status).toBe(404);

    const history = await api<PolicyChange[]>(t.url, analyst, 'GET', '/policy/history');
    expect(history.body[0]).toMatchObject({
      version: removed.body.version,
      by: 'analyst@test.driftlock',
      summary: 'override for namespace payments removed',
    });
    expect(history.body.map((h) => h.version)).toEqual(
      [...history.body.map((h) => h.version)].sort((a, b) => b - a),
    );
  });

  it('adds and removes exceptions, auditing each change with who made it', async () => {
    const added = await api<PolicyView>(t.url, analyst, 'POST', '/policy/exceptions', {
      sha256: 'c'.repeat(64),
      path: null,
      comment: 'our build tool',
      threatId: null,
    });
    expect(added.status).toBe(201);
    const exception = added.body.exceptions.find((e) => e.comment === 'our build tool');
    expect(exception?.sha256).toBe('c'.repeat(64));

    const removed = await api<PolicyView>(
      t.url,
      analyst,
      'DELETE',
      `/policy/exceptions/${exception?.id}`,
    );
    expect(removed.body.exceptions.find((e) => e.id === exception?.id)).toBeUndefined();

    const audit = await api<AuditEntry[]>(t.url, admin, 'GET', '/audit?action=policy.changed');
    expect(audit.body[0]).toMatchObject({
      actorName: 'analyst@test.driftlock',
      action: 'policy.changed',
    });
  });

  it('refuses an invalid policy with a 400 that lists the issue', async () => {
    const res = await api<{ message: string }>(t.url, analyst, 'PUT', '/policy/default', {
      enabled: 'yes',
      mode: 'protect',
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('enabled');
  });
});
