import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { API_PREFIX, AgentIdentity, EnrollRequest, EnrollResponse } from '@driftlock/protocol';
import type { Credentials } from './connection';

export class EnrollError extends Error {
  constructor(message: string) {
    super(`enroll: ${message}`);
    this.name = 'EnrollError';
  }
}

const StoredCredentials = z.object({
  server: z.string().url(),
  agentId: z.string().uuid(),
  secret: z.string().min(1),
  enrolledAt: z.string(),
});

/** The server's base URL, normalised; only http(s) with no path beyond `/`. */
export function parseServerUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new EnrollError(
      `bad server URL '${server}': not a URL (expected e.g. http://127.0.0.1:3000)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EnrollError(`bad server URL '${server}': the scheme must be http or https`);
  }
  return url;
}

function networkReason(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return 'no answer within the timeout';
  // fetch wraps the socket error: `fetch failed` says nothing, its cause says ECONNREFUSED.
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  return (
    cause?.code ??
    cause?.message ??
    (error as NodeJS.ErrnoException).code ??
    (error as Error).message
  );
}

/** Exchanges an enrollment token for the agent's own id and secret. */
export async function enroll(
  server: string,
  token: string,
  agent: AgentIdentity,
  timeoutMs = 15_000,
): Promise<Credentials> {
  const base = parseServerUrl(server);
  const url = new URL(`${API_PREFIX}/agents/enroll`, base);
  const body: EnrollRequest = EnrollRequest.parse({ token, agent });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new EnrollError(`cannot reach ${base.origin}: ${networkReason(error)}`);
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new EnrollError(
      `the server refused the enrollment token (HTTP ${response.status}): it is unknown, revoked, expired or used up`,
    );
  }
  if (!response.ok) {
    throw new EnrollError(`${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  let parsed: EnrollResponse;
  try {
    parsed = EnrollResponse.parse(JSON.parse(text));
  } catch {
    throw new EnrollError(
      `${url} answered something that is not an enrollment: ${text.slice(0, 300)}`,
    );
  }
  return { server: base.origin, agentId: parsed.agentId, secret: parsed.secret };
}

/** Writes the credentials 0600 through a temporary file, so a crash never leaves half of them. */
export function saveCredentials(file: string, credentials: Credentials): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  const stored = { ...credentials, enrolledAt: new Date().toISOString() };
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, JSON.stringify(stored, null, 2));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/** The stored credentials, or null before enrollment. */
export function loadCredentials(file: string): Credentials | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EnrollError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const parsed = StoredCredentials.safeParse(JSON.parse(text));
  if (!parsed.success) throw new EnrollError(`${file} is not a credentials file; enroll again`);
  const { server, agentId, secret } = parsed.data;
  return { server, agentId, secret };
}
