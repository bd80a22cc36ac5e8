import type { CreatedWebhook, Webhook } from '@driftlock/protocol';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../../test/harness';
import { api, enrolledAgent } from '../../test/fleet-fixtures';
import { TestAgent, threatMessage, threatReport } from '../../test/test-agent';
import { signBody } from './webhook-signature';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local integration endpoint that fails its first `failures` requests. */
async function receiver(
  failures: number,
): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  let left = failures;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = left-- > 0 ? 503 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, got, server };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  it('posts a signed JSON delivery per new threat, retrying after a failure', async () => {
    const hook = await receiver(1);
    const created = await api<CreatedWebhook>(t.url, admin, 'POST', '/webhooks', {
      name: 'SIEM',
      url: hook.url,
    });
    expect(created.status).toBe(201);
    const listed = await api<Webhook[]>(t.url, admin, 'GET', '/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const creds = await enrolledAgent(t.url, admin);
    const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    const report = threatReport({ commandLine: './minerd --pool evil' });
    await agent.request(threatMessage(agent, report));
    await agent.close();

    const [first, second] = await until(
      'a failed try and a retry',
      async () => (hook.got.length >= 2 ? hook.got : undefined),
      15_000,
    );
    expect(first.headers['x-driftlock-delivery']).toBe(second.headers['x-driftlock-delivery']);
    expect(second.headers['x-driftlock-signature']).toBe(
      signBody(created.body.secret, second.body),
    );
    const payload = JSON.parse(second.body);
    expect(payload).toMatchObject({
      event: 'threat.created',
      attempt: 2,
      threat: { commandLine: './minerd --pool evil', mitigation: 'killed_quarantined' },
    });
    // The server records the outcome just after the receiver answered.
    const delivery = await until(
      'the delivery recorded as delivered',
      async () => {
        const [row] = await t.db.query(`SELECT status, attempts FROM webhook_deliveries`);
        return row.status === 'delivered' ? row : undefined;
      },
      5000,
    );
    expect(delivery).toEqual({ status: 'delivered', attempts: 2 });
    expect(hook.got).toHaveLength(2);
    hook.server.close();
  });

  it('deletes a webhook', async () => {
    const created = await api<CreatedWebhook>(t.url, admin, 'POST', '/webhooks', {
      name: 'gone',
      url: 'http://127.0.0.1:9/x',
    });
    const res = await api(t.url, admin, 'DELETE', `/webhooks/${created.body.webhook.id}`);
    expect(res.status).toBe(204);
    const listed = await api<Webhook[]>(t.url, admin, 'GET', '/webhooks');
    expect(listed.body.find((w) => w.id === created.body.webhook.id)).toBeUndefined();
  });
});
