import type {
  Agent,
  CreatedApiToken,
  CreatedEnrollmentToken,
  PolicyOverride,
  PolicySettings,
  PolicyView,
  QuarantineItem,
  StorylineView,
  ThreatDetail,
  ThreatPage,
} from '@driftlock/protocol';

/** A REST client the way an integration uses the API: a bearer token, JSON in and out. */
export class RestClient {
  constructor(
    private readonly base: string,
    private readonly auth: { cookie?: string; token?: string },
  ) {}

  static async signIn(base: string, email: string, password: string): Promise<RestClient> {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(`sign in as ${email}: HTTP ${res.status} ${await res.text()}`);
    return new RestClient(base, { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] });
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.auth.cookie) headers.cookie = this.auth.cookie;
    if (this.auth.token) headers.authorization = `Bearer ${this.auth.token}`;
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createApiToken(name: string): Promise<CreatedApiToken> {
    return this.request('POST', '/api-tokens', { name, role: 'admin', expiresAt: null });
  }

  createEnrollmentToken(name: string): Promise<CreatedEnrollmentToken> {
    return this.request('POST', '/enrollment-tokens', { name, expiresAt: null, maxUses: 5 });
  }

  setPolicy(settings: PolicySettings): Promise<PolicyView> {
    return this.request('PUT', '/policy/default', settings);
  }

  policy(): Promise<PolicyView> {
    return this.request('GET', '/policy');
  }

  putOverride(override: PolicyOverride): Promise<PolicyView> {
    return this.request('PUT', '/policy/overrides', override);
  }

  agents(): Promise<Agent[]> {
    return this.request('GET', '/agents');
  }

  quarantine(): Promise<QuarantineItem[]> {
    return this.request('GET', '/quarantine');
  }

  threats(query = ''): Promise<ThreatPage> {
    return this.request('GET', `/threats${query}`);
  }

  threat(id: string): Promise<ThreatDetail> {
    return this.request('GET', `/threats/${id}`);
  }

  storyline(id: string): Promise<StorylineView> {
    return this.request('GET', `/threats/${id}/storyline`);
  }
}

/** Polls until `probe` returns a value (not undefined), or fails naming what it waited for. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
