import type { ApiError, Me } from '@driftlock/protocol';
import { createTestApp, json, FIXTURE_PASSWORD, fixtureEmail, TestApp } from '../../test/harness';

describe('auth (real server, real Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DRIFTLOCK_LOGIN_ATTEMPTS_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) =>
    fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });

  it('signs in with the right password and sets an HttpOnly SameSite=Strict session cookie', async () => {
    const res = await login(fixtureEmail('analyst'), FIXTURE_PASSWORD);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^driftlock_session=dls_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const body = await res.json();
    expect(body).toMatchObject({
      via: 'session',
      user: { email: fixtureEmail('analyst'), role: 'analyst' },
    });
    expect(JSON.stringify(body)).not.toMatch(/password/i);
  });

  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const wrong = await login(fixtureEmail('viewer'), 'not the password');
    const unknown = await login('nobody@test.driftlock', 'not the password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect((await json<ApiError>(wrong)).message).toBe((await json<ApiError>(unknown)).message);
  });

  it('rejects malformed login bodies with 400 and every issue listed', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-email' }),
    });
    expect(res.status).toBe(400);
    const body = await json<ApiError>(res);
    expect(body.issues?.map((i) => i.path).sort()).toEqual(['email', 'password']);
  });

  it('serves /auth/me for a session and forgets the session after logout', async () => {
    const cookie = await t.login('viewer');
    const me = await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await json<Me>(me)).user.role).toBe('viewer');
    const out = await fetch(`${t.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    const after = await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
  });

  it('rate-limits login attempts: the sixth within a minute gets 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login('flood@test.driftlock', 'x')).status);
    expect(statuses.slice(0, 5).every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses[5]).toBe(429);
  });
});
