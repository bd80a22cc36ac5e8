import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../stack/browser';
import { RestClient } from '../stack/rest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type RunningServer } from '../stack/server';
import { MINERD_SHA256, referenceThreat, ScriptedAgent } from './scripted-agent';

const ANALYST = { email: 'analyst@e2e.driftlock', password: 'analyst password 1' };
const VIEWER = { email: 'viewer@e2e.driftlock', password: 'viewer password 12' };

let server: RunningServer;
let browser: Browser;
let admin: RestClient;
let agent: ScriptedAgent;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  admin = await RestClient.signIn(server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
  for (const [u, role] of [
    [ANALYST, 'analyst'],
    [VIEWER, 'viewer'],
  ] as const) {
    await admin.request('POST', '/users', { ...u, name: `E2E ${role}`, role });
  }
  const { token } = await admin.createEnrollmentToken('console e2e');
  agent = await ScriptedAgent.enroll(server.url, token, 'worker-1');
}, 120_000);

afterAll(async () => {
  agent?.close();
  await browser?.close();
  await server?.stop();
});

async function signIn(user: { email: string; password: string }): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
  return page;
}

async function attribute(page: Page, testId: string, name: string): Promise<string | null> {
  return page.getByTestId(testId).first().getAttribute(name);
}

async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('console', () => {
  it('signs in, shows the role, and signs out', async () => {
    const page = await signIn({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(await page.getByTestId('current-role').textContent()).toBe('admin');
    await page.getByTestId('dashboard').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-form').waitFor();
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    await page.close();
  });

  it('rejects a wrong password with a clear message', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByTestId('login-email').fill(ANALYST.email);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    expect(await page.getByTestId('login-error').textContent()).toContain(
      'Wrong email or password',
    );
    await page.close();
  });

  it('turns Application Control on in one click, and the change is persisted', async () => {
    const page = await signIn(ANALYST);
    await page.goto(`${server.url}/policy`);
    await page.getByTestId('policy-toggle').waitFor();
    // A fresh install protects nothing until someone switches it on.
    expect(await attribute(page, 'policy-toggle', 'data-enabled')).toBe('false');
    await page.getByTestId('policy-toggle').locator('.mantine-Switch-track').click();
    await until(
      async () =>
        (await attribute(page, 'policy-toggle', 'data-pending')) === 'false' &&
        (await attribute(page, 'policy-toggle', 'data-enabled')) === 'true',
      'the toggle shows ON, saved',
    );
    expect((await admin.policy()).default).toEqual({ enabled: true, mode: 'protect' });
    await page.reload();
    await page.getByTestId('policy-toggle').waitFor();
    expect(await attribute(page, 'policy-toggle', 'data-enabled')).toBe('true');
    expect(await page.getByTestId('policy-updated-by').textContent()).toContain(ANALYST.email);
    await admin.setPolicy({ enabled: false, mode: 'protect' });
    await until(
      async () => (await attribute(page, 'policy-toggle', 'data-enabled')) === 'false',
      'a change made elsewhere shows live',
    );
    await page.close();
  });

  it('shows a viewer the policy with no control to change it, and the server refuses one', async () => {
    const page = await signIn(VIEWER);
    await page.goto(`${server.url}/policy`);
    await page.getByTestId('policy-toggle').waitFor();
    expect(await page.getByTestId('policy-toggle-switch').count()).toBe(0);
    expect(await page.getByTestId('policy-override-form').count()).toBe(0);
    expect(await page.getByTestId('nav-users').count()).toBe(0);
    const viewer = await RestClient.signIn(server.url, VIEWER.email, VIEWER.password);
    await expect(viewer.setPolicy({ enabled: false, mode: 'detect' })).rejects.toThrow(/HTTP 403/);
    await page.close();
  });

  it('shows a threat sent by an agent live, with its forensics and its storyline', async () => {
    const page = await signIn(ANALYST);
    await page.goto(`${server.url}/threats`);
    await until(
      async () => (await attribute(page, 'live-state', 'data-state')) === 'live',
      'live updates connect',
    );
    await page.getByTestId('threats-table').waitFor();
    await agent.send({ type: 'threat', threat: referenceThreat('./minerd') });
    const row = page.getByTestId('threat-row').filter({ hasText: './minerd' }).first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-fresh')).toBe('true');
    await screenshot(page, 'console-threats');

    await row.click();
    await page.getByTestId('threat-detail').waitFor();
    const text = (id: string) => page.getByTestId(id).first().textContent();
    expect(await text('threat-command-line')).toBe('./minerd');
    expect(await text('threat-engine')).toBe('Application Control');
    expect(await text('threat-drift-class')).toBe('New binary');
    expect(await text('badge-killed')).toBe('KILLED · exit 137');
    expect(await text('badge-quarantined')).toContain(
      `QUARANTINED · sha256 ${MINERD_SHA256.slice(0, 12)}`,
    );
    expect(await text('mitigation-exit-code')).toContain('exit code 137');
    expect(await text('mitigation-sha256')).toContain(MINERD_SHA256);
    expect(await text('threat-file-path')).toBe('/app/minerd');
    expect(await text('threat-file-size')).toContain('2,483,712 B');
    expect(await text('threat-file-sha256')).toBe(MINERD_SHA256);
    expect(await text('threat-container-id')).toBe('c0ffee00d15ea5e');
    expect(await text('threat-container-name')).toBe('web');
    expect(await text('threat-container-runtime')).toBe('containerd');
    expect(await text('threat-image')).toBe('docker.io/library/node-web-app:1.0');
    expect(await text('threat-image-digest')).toContain('sha256:3b5e1f0c');
    expect(await text('threat-pod')).toBe('node-web-app-7d9f8c6b5-x2x4q');
    expect(await text('threat-namespace')).toBe('prod');
    expect(await text('threat-node')).toBe('worker-1');
    expect(await text('threat-cluster')).toBe('prod');
    expect(await page.getByTestId('pod-label').allTextContents()).toEqual(
      expect.arrayContaining(['app=node-web-app', 'tier=frontend']),
    );
    expect(await text('threat-hostname')).toBe('worker-1');
    await screenshot(page, 'console-forensics');

    await page.getByTestId('open-storyline').click();
    await page.getByTestId('storyline-node').first().waitFor();
    const names = await page
      .getByTestId('storyline-node')
      .evaluateAll((nodes) =>
        nodes.map((n) => [
          n.getAttribute('data-name'),
          n.getAttribute('data-threat'),
          n.getAttribute('data-on-path'),
        ]),
      );
    expect(names.map(([name]) => name).sort()).toEqual(['bash', 'chmod', 'minerd', 'wget']);
    expect(names.filter(([, threat]) => threat === 'true').map(([name]) => name)).toEqual([
      'minerd',
    ]);
    expect(
      names
        .filter(([, , onPath]) => onPath === 'true')
        .map(([name]) => name)
        .sort(),
    ).toEqual(['bash', 'minerd']);
    const marks = await page.getByTestId('storyline-threat-marks').textContent();
    expect(marks).toContain('KILLED');
    expect(marks).toContain('QUARANTINED');
    expect(await page.getByTestId('process-exit-code').textContent()).toContain('137');
    await screenshot(page, 'console-storyline');
    await page.close();
  });

  it('resolves a threat with a verdict and a note, and keeps the history', async () => {
    await agent.send({ type: 'threat', threat: referenceThreat('./kinsing') });
    const page = await signIn(ANALYST);
    await page.goto(`${server.url}/threats?q=kinsing`);
    await page.getByTestId('threat-row').first().click();
    await page.getByTestId('threat-workflow').waitFor();
    await page.getByTestId('threat-status-control').getByText('Resolved', { exact: true }).click();
    await page.getByTestId('threat-note-input').fill('miner from a leaked CI token; token rotated');
    await page.getByTestId('threat-note-add').click();
    const history = page.getByTestId('threat-history');
    await history.getByText('miner from a leaked CI token; token rotated').waitFor();
    await history.getByText('Unresolved → Resolved').waitFor();
    await page.close();
  });

  it('creates an enrollment token with install snippets shown once, then revokes it', async () => {
    const page = await signIn({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await page.goto(`${server.url}/fleet`);
    await page.getByTestId('agent-row').first().waitFor();
    await page.getByTestId('enrollment-token-create').click();
    await page.getByTestId('enrollment-token-name').fill('staging nodes');
    await page.getByTestId('enrollment-token-max-uses').fill('3');
    await page.getByTestId('enrollment-token-submit').click();
    const token = (await page.getByTestId('enrollment-token-value').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(16);
    expect(await page.getByTestId('enrollment-install-command').textContent()).toBe(
      `driftlock-agent enroll --server ${server.url} --token ${token}`,
    );
    expect(await page.getByTestId('enrollment-daemonset-secret').textContent()).toContain(token);
    await page.keyboard.press('Escape');
    const row = page.getByTestId('enrollment-token-row').filter({ hasText: 'staging nodes' });
    expect(await row.getByTestId('enrollment-token-state').textContent()).toBe('active');
    expect(await row.textContent()).toContain('0 / 3');
    await row.getByTestId('enrollment-token-revoke').click();
    await until(
      async () => (await row.getByTestId('enrollment-token-state').textContent()) === 'revoked',
      'the token shows revoked',
    );
    await page.close();
  });

  it('shows the dashboard with the threats chart and the agent online', async () => {
    const page = await signIn({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await page.getByTestId('threats-chart').waitFor();
    await until(
      async () => (await page.getByTestId('stat-agents-online-value').textContent()) === '1',
      'the agent shows online',
    );
    expect(Number(await attribute(page, 'threats-chart', 'data-days'))).toBeGreaterThan(0);
    await screenshot(page, 'console-dashboard');
    await page.close();
  });
});
