import type { ApiError, ApiToken, AuditEntry, CreatedApiToken, Me } from '@driftlock/protocol';
import { createTestApp, json, TestApp } from '../../test/harness';

describe('API tokens for integrations', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  const create = (body: unknown, cookie = admin) =>
    fetch(`${t.url}/api/v1/api-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });
  const me = (token: string) =>
    fetch(`${t.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });

  it('shows the token once, stores only its hash, and lists it without the secret', async () => {
    const res = await create({ name: 'siem', role: 'viewer', expiresAt: null });
    expect(res.status).toBe(201);
    const { token, apiToken } = await json<CreatedApiToken>(res);
    expect(token).toMatch(/^dlk_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    const list = await (
      await fetch(`${t.url}/api/v1/api-tokens`, { headers: { cookie: admin } })
    ).text();
    expect(list).toContain('siem');
    expect(list).not.toContain(token);
    const stored = await t.db.query('SELECT token_hash FROM api_tokens WHERE id = $1', [
      apiToken.id,
    ]);
    expect(stored[0].token_hash).not.toContain(token.slice(4));
  });

  it('authenticates with the bearer token, with its role, and records when it was last used', async () => {
    const { token, apiToken } = await json<CreatedApiToken>(
      await create({ name: 'soar', role: 'analyst', expiresAt: null }),
    );
    expect(apiToken.lastUsedAt).toBeNull();
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(await json<Me>(res)).toMatchObject({ via: 'api_token', user: { role: 'analyst' } });
    const [row] = await t.db.query('SELECT last_used_at FROM api_tokens WHERE id = $1', [
      apiToken.id,
    ]);
    expect(row.last_used_at).not.toBeNull();
    const users = await fetch(`${t.url}/api/v1/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(users.status).toBe(403);
  });

  it('stops a revoked token at once', async () => {
    const { token, apiToken } = await json<CreatedApiToken>(
      await create({ name: 'old', role: 'viewer', expiresAt: null }),
    );
    expect((await me(token)).status).toBe(200);
    const del = await fetch(`${t.url}/api/v1/api-tokens/${apiToken.id}`, {
      method: 'DELETE',
      headers: { cookie: admin },
    });
    expect(del.status).toBe(200);
    expect((await json<ApiToken>(del)).revokedAt).not.toBeNull();
    expect((await me(token)).status).toBe(401);
  });

  it('stops a token after its expiry', async () => {
    const { token, apiToken } = await json<CreatedApiToken>(
      await create({
        name: 'short',
        role: 'viewer',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    );
    expect((await me(token)).status).toBe(200);
    await t.db.query(
      `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [apiToken.id],
    );
    expect((await me(token)).status).toBe(401);
  });

  it('refuses an expiry in the past and changes nothing', async () => {
    const before = await t.db.query('SELECT count(*)::int AS n FROM api_tokens');
    const res = await create({ name: 'bad', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' });
    expect(res.status).toBe(400);
    expect((await json<ApiError>(res)).message).toMatch(/expiresAt: must be in the future/);
    expect(await t.db.query('SELECT count(*)::int AS n FROM api_tokens')).toEqual(before);
  });

  it('lets only admins create tokens', async () => {
    const res = await create(
      { name: 'x', role: 'admin', expiresAt: null },
      await t.login('analyst'),
    );
    expect(res.status).toBe(403);
  });

  it('writes every token change to the audit log', async () => {
    const res = await fetch(`${t.url}/api/v1/audit?action=api_token.revoked`, {
      headers: { cookie: admin },
    });
    const entries = await json<AuditEntry[]>(res);
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries[0]).toMatchObject({
      actorType: 'user',
      actorName: 'admin@test.driftlock',
      targetType: 'api_token',
    });
  });
});
