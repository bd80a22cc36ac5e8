import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { EnrollRequest } from '@driftlock/protocol';
import { enroll, loadCredentials, saveCredentials } from './enroll';

const AGENT = {
  version: '0.1.0',
  hostname: 'node-1',
  kind: 'linux' as const,
  cluster: null,
  node: null,
  kernel: os.release(),
};
const AGENT_ID = '9b2d7c1e-0a4f-4e8b-8c3d-2f1e0d9c8b7a';

/** The server's enroll route: 201 for the good token, 401 for a revoked one, 403 for a used-up one. */
async function enrollServer(): Promise<{
  url: string;
  requests: EnrollRequest[];
  close: () => Promise<void>;
}> {
  const requests: EnrollRequest[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url !== '/api/v1/agents/enroll' || request.method !== 'POST') {
        response.writeHead(404).end();
        return;
      }
      const parsed = EnrollRequest.parse(JSON.parse(body));
      requests.push(parsed);
      const status = { good: 201, revoked: 401, used: 403 }[parsed.token] ?? 500;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          status === 201
            ? { agentId: AGENT_ID, secret: 'agent-secret' }
            : { statusCode: status, message: 'no' },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('enroll', () => {
  let server: Awaited<ReturnType<typeof enrollServer>>;
  beforeAll(async () => (server = await enrollServer()));
  afterAll(() => server.close());

  it('exchanges a token for the agent id and secret, sending who the agent is', async () => {
    const credentials = await enroll(`${server.url}/`, 'good', AGENT);
    expect(credentials).toEqual({ server: server.url, agentId: AGENT_ID, secret: 'agent-secret' });
    expect(server.requests.at(-1)).toEqual({ token: 'good', agent: AGENT });
  });

  it.each([
    ['revoked', 401],
    ['used', 403],
  ])('says the server refused a %s token', async (token, status) => {
    await expect(enroll(server.url, token, AGENT)).rejects.toThrow(
      `enroll: the server refused the enrollment token (HTTP ${status}): it is unknown, revoked, expired or used up`,
    );
  });

  it('names the address and the reason when the server is unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(enroll(`http://127.0.0.1:${port}`, 'good', AGENT)).rejects.toThrow(
      `enroll: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });

  it.each([
    ['127.0.0.1:3000', 'not a URL'],
    ['not a url', 'not a URL'],
    ['ftp://127.0.0.1', 'the scheme must be http or https'],
  ])('rejects the server URL %s before sending anything', async (url, reason) => {
    await expect(enroll(url, 'good', AGENT)).rejects.toThrow(
      `enroll: bad server URL '${url}': ${reason}`,
    );
  });
});

describe('credentials file', () => {
  it('is written 0600 and read back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-credentials-'));
    const file = path.join(dir, 'state', 'credentials.json');
    try {
      expect(loadCredentials(file)).toBeNull();
      saveCredentials(file, { server: 'http://127.0.0.1:3000', agentId: AGENT_ID, secret: 's' });
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadCredentials(file)).toEqual({
        server: 'http://127.0.0.1:3000',
        agentId: AGENT_ID,
        secret: 's',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
