import type { Agent, EnrollmentToken } from '@driftlock/protocol';
import { createTestApp, type TestApp } from '../../test/harness';
import { api, createEnrollmentToken, enroll } from '../../test/fleet-fixtures';
import { TestAgent } from '../../test/test-agent';

describe('agent enrollment', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  it('exchanges a valid token for an agent id and secret, storing neither token nor secret', async () => {
    const { token, enrollmentToken } = await createEnrollmentToken(t.url, admin);
    const res = await enroll(t.url, token);
    expect(res.status).toBe(201);
    expect(res.body.agentId).toMatch(/^[0-9a-f-]{36}$/);
    const [tokenRow] = await t.db.query(`SELECT token_hash FROM enrollment_tokens WHERE id = $1`, [
      enrollmentToken.id,
    ]);
    const [agentRow] = await t.db.query(`SELECT secret_hash FROM agents WHERE id = $1`, [
      res.body.agentId,
    ]);
    expect(tokenRow.token_hash).not.toContain(token);
    expect(agentRow.secret_hash).not.toContain(res.body.secret);
    const listed = await api<EnrollmentToken[]>(t.url, admin, 'GET', '/enrollment-tokens');
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body.find((e) => e.id === enrollmentToken.id)?.uses).toBe(1);
  });

  it('refuses an expired token', async () => {
    const { token, enrollmentToken } = await createEnrollmentToken(t.url, admin, {
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await t.db.query(
      `UPDATE enrollment_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [enrollmentToken.id],
    );
    const res = await enroll(t.url, token);
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).toContain('expired');
  });

  it('refuses a revoked token but keeps the agents it already enrolled working', async () => {
    const { token, enrollmentToken } = await createEnrollmentToken(t.url, admin);
    const first = await enroll(t.url, token);
    expect(first.status).toBe(201);
    const revoked = await api<EnrollmentToken>(
      t.url,
      admin,
      'DELETE',
      `/enrollment-tokens/${enrollmentToken.id}`,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();

    const second = await enroll(t.url, token);
    expect(second.status).toBe(401);
    expect(JSON.stringify(second.body)).toContain('revoked');
    const agent = await TestAgent.connect(t.url, first.body.agentId, first.body.secret);
    await agent.close();
  });

  it('refuses a token used as many times as its max uses', async () => {
    const { token } = await createEnrollmentToken(t.url, admin, { maxUses: 2 });
    const results = await Promise.all([
      enroll(t.url, token),
      enroll(t.url, token),
      enroll(t.url, token),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 401]);
    const refused = results.find((r) => r.status === 401);
    expect(JSON.stringify(refused?.body)).toContain('used 2 of 2');
  });

  it('refuses an unknown token', async () => {
    const res = await enroll(t.url, 'dle_not-a-real-token');
    expect(res.status).toBe(401);
  });

  it('lists agents with their status and decommissions one', async () => {
    const { token } = await createEnrollmentToken(t.url, admin);
    const { body: creds } = await enroll(t.url, token, 'node-to-retire');
    const viewer = await t.login('viewer');
    const listed = await api<Agent[]>(t.url, viewer, 'GET', '/agents');
    expect(listed.body.find((a) => a.id === creds.agentId)).toMatchObject({
      hostname: 'node-to-retire',
      status: 'offline',
      kind: 'kubernetes',
    });
    const done = await api<Agent>(t.url, admin, 'POST', `/agents/${creds.agentId}/decommission`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('decommissioned');
    const again = await api<Agent>(t.url, admin, 'POST', `/agents/${creds.agentId}/decommission`);
    expect(again.status).toBe(409);
    const got = await api<Agent>(t.url, viewer, 'GET', `/agents/${creds.agentId}`);
    expect(got.body.status).toBe('decommissioned');
  });
});
