import type { CreatedEnrollmentToken, EnrollResponse } from '@driftlock/protocol';

/** REST calls the fleet specs share; each throws with the status and body when it fails. */
export async function api<T>(
  baseUrl: string,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function createEnrollmentToken(
  baseUrl: string,
  adminCookie: string,
  opts: { expiresAt?: string | null; maxUses?: number | null } = {},
): Promise<CreatedEnrollmentToken> {
  const res = await api<CreatedEnrollmentToken>(
    baseUrl,
    adminCookie,
    'POST',
    '/enrollment-tokens',
    {
      name: 'test nodes',
      expiresAt: opts.expiresAt ?? null,
      maxUses: opts.maxUses ?? null,
    },
  );
  if (res.status !== 201)
    throw new Error(`create enrollment token: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function enroll(
  baseUrl: string,
  token: string,
  hostname = 'node-1',
): Promise<{ status: number; body: EnrollResponse }> {
  const res = await fetch(`${baseUrl}/api/v1/agents/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      agent: {
        version: '0.1.0-test',
        hostname,
        kind: 'kubernetes',
        cluster: 'prod',
        node: hostname,
        kernel: '6.1.0-test',
      },
    }),
  });
  return { status: res.status, body: (await res.json()) as EnrollResponse };
}

/** A fresh enrolled agent's credentials (one token per agent). */
export async function enrolledAgent(
  baseUrl: string,
  adminCookie: string,
  hostname = 'node-1',
): Promise<EnrollResponse> {
  const { token } = await createEnrollmentToken(baseUrl, adminCookie);
  const res = await enroll(baseUrl, token, hostname);
  if (res.status !== 201) throw new Error(`enroll: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
