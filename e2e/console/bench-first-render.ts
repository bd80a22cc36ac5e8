/**
 * Console first-render benchmark, in Debian's Chromium against the built server on a real
 * Postgres: the threats page with N threats in the database (default 100,000, sent by a scripted
 * agent over the agent protocol) and the storyline of a threat with a 2,000-process storyline.
 * "First render" is from navigation start to the first rows (or the threat node) on screen.
 *
 *   npx ts-node --transpile-only e2e/console/bench-first-render.ts [--threats 100000] [--runs 5]
 *
 * Postgres: TEST_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres).
 * Writes .driftlock/bench/console-first-render.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { ProcessNode } from '@driftlock/protocol';
import { launchChromium } from '../stack/browser';
import { RestClient } from '../stack/rest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, REPO, startServer } from '../stack/server';
import { referenceThreat, ScriptedAgent } from './scripted-agent';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const THREATS = option('threats', 100_000);
const RUNS = option('runs', 5);
const STORYLINE_SIZE = 2000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A threat whose storyline is a shell fanning out into 20 workers running 2,000 processes in all. */
function bigStorylineThreat() {
  const threat = referenceThreat('/tmp/xmrig --donate-level=0', { namespace: 'batch' });
  const template = threat.storyline.processes[0];
  const at = (s: number) => new Date(Date.now() - 3_600_000 + s * 1000).toISOString();
  const proc = (i: number, parent: string | null, exe: string, args: string[]): ProcessNode => ({
    ...template,
    processId: `big-${i}`,
    parentProcessId: parent,
    pid: 10_000 + i,
    exe,
    args,
    startedAt: at(i),
    origin: parent ? null : 'container_start',
  });
  const processes = [proc(0, null, '/bin/sh', ['sh', '-c', '/entrypoint.sh'])];
  for (let w = 1; w <= 20; w += 1)
    processes.push(proc(w, 'big-0', '/bin/bash', ['bash', `worker-${w}.sh`]));
  for (let i = processes.length; i < STORYLINE_SIZE; i += 1)
    processes.push(
      proc(i, `big-${1 + (i % 20)}`, '/usr/bin/curl', ['curl', '-s', `http://svc.internal/${i}`]),
    );
  const threatIndex = STORYLINE_SIZE - 7;
  processes[threatIndex] = {
    ...processes[threatIndex],
    exe: '/tmp/xmrig',
    args: ['/tmp/xmrig', '--donate-level=0'],
  };
  threat.processId = processes[threatIndex].processId;
  threat.storyline = { ...threat.storyline, origin: 'container_start', processes };
  return threat;
}

async function timeFirstRender(page: Page, url: string, selector: string): Promise<number> {
  await page.goto('about:blank');
  const started = Date.now();
  await page.goto(url);
  await page.locator(selector).first().waitFor({ timeout: 30_000 });
  return Date.now() - started;
}

async function main(): Promise<void> {
  const server = await startServer();
  const browser = await launchChromium();
  try {
    const admin = await RestClient.signIn(server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const { token } = await admin.createEnrollmentToken('bench');
    const agent = await ScriptedAgent.enroll(server.url, token, 'bench-node');

    const seeding = Date.now();
    const now = Date.now();
    await agent.sendMany(THREATS, (i) => ({
      type: 'threat',
      threat: referenceThreat(`./miner-${i % 97}`, {
        detectedAt: now - i * 30_000,
        namespace: `ns-${i % 40}`,
      }),
    }));
    const big = bigStorylineThreat();
    await agent.send({ type: 'threat', threat: big });
    const seedSeconds = (Date.now() - seeding) / 1000;
    console.log(`seeded ${THREATS + 1} threats in ${seedSeconds.toFixed(0)} s`);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.getByTestId('login-email').fill(ADMIN_EMAIL);
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();

    const bigId = (
      await admin.request<{ items: Array<{ id: string }> }>('GET', '/threats?q=xmrig&limit=1')
    ).items[0].id;
    const threatsPage: number[] = [];
    const storyline: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      threatsPage.push(
        await timeFirstRender(page, `${server.url}/threats`, '[data-testid="threat-row"]'),
      );
      storyline.push(
        await timeFirstRender(
          page,
          `${server.url}/threats/${bigId}/storyline`,
          '[data-testid="storyline-node"][data-threat="true"]',
        ),
      );
    }
    const drawn = await page.getByTestId('storyline-svg').getAttribute('data-drawn-count');
    const result = {
      at: new Date().toISOString(),
      threats: THREATS + 1,
      storylineProcesses: STORYLINE_SIZE,
      runs: RUNS,
      threatsPageFirstRenderMs: { median: median(threatsPage), all: threatsPage },
      storylineFirstRenderMs: { median: median(storyline), all: storyline },
      storylineNodesDrawn: Number(drawn),
      seedSeconds,
    };
    console.log(JSON.stringify(result, null, 2));
    const out = path.join(REPO, '.driftlock', 'bench', 'console-first-render.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2));
    agent.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
