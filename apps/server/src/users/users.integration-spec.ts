import { createTestApp, TestApp } from '../../test/harness';

describe('users', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  const post = (body: unknown, cookie = admin) =>
    fetch(`${t.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });

  it('lets an admin create an analyst who can then sign in', async () => {
    const res = await post({
      email: 'Ana@Example.com',
      name: 'Ana',
      role: 'analyst',
      password: 'a long password 1',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      email: 'ana@example.com',
      role: 'analyst',
      disabled: false,
    });
    const login = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@example.com', password: 'a long password 1' }),
    });
    expect(login.status).toBe(200);
  });

  it('refuses a duplicate email with 409 and a short password with 400', async () => {
    const dup = await post({
      email: 'ana@example.com',
      name: 'Ana 2',
      role: 'viewer',
      password: 'a long password 2',
    });
    expect(dup.status).toBe(409);
    const short = await post({
      email: 'bo@example.com',
      name: 'Bo',
      role: 'viewer',
      password: 'short',
    });
    expect(short.status).toBe(400);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM users WHERE email = 'bo@example.com'`,
    );
    expect(n).toBe(0);
  });

  it('signs out a disabled user for good', async () => {
    const cookie = await t.login('viewer');
    const res = await fetch(`${t.url}/api/v1/users/${t.users.viewer}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: admin },
      body: JSON.stringify({ disabled: true }),
    });
    expect(res.status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
    await expect(t.login('viewer')).rejects.toThrow(/HTTP 401/);
  });

  it('does not let an admin lock themselves out', async () => {
    const res = await fetch(`${t.url}/api/v1/users/${t.users.admin}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: admin },
      body: JSON.stringify({ role: 'viewer' }),
    });
    expect(res.status).toBe(409);
  });
});
