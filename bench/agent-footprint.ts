// Footprint of the host agent under exec load: RSS and CPU of the agent (node) and of the
// sensor loader at paced exec rates, then the highest rate the agent keeps up with.
// Run through bench/agent-footprint.sh (builds what it needs). Needs root.
//
// Load: bpf/build/test/exec-runner fork+execs bpf/build/test/marker (a static no-libc binary)
// on the host, paced in 100 ms slices. Every exec is three sensor events (fork, exec, exit),
// all of which the agent parses and puts through its process table. "Keeps up" means the
// sensor counted no ring-buffer drop and the agent had seen every event within 2 s of the end.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..');
const AGENT = path.join(REPO, 'apps/agent/dist/main.js');
const RUNNER = path.join(REPO, 'bpf/build/test/exec-runner');
const MARKER = path.join(REPO, 'bpf/build/test/marker');
const TICKS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stats {
  eventsSeen: number;
  eventsDropped: number;
}

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

function loaderPid(agentPid: number): number {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === agentPid && stat.includes('(driftlock-senso')) return Number(name);
    } catch {
      // the process ended while the list was read
    }
  }
  throw new Error(`bench: no driftlock-sensor child of agent ${agentPid}`);
}

function stats(stateDir: string): Stats {
  const status = JSON.parse(fs.readFileSync(path.join(stateDir, 'status.json'), 'utf8'));
  return { eventsSeen: status.stats.eventsSeen, eventsDropped: status.stats.eventsDropped };
}

function runner(count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      RUNNER,
      ['--count', String(count), '--', MARKER, '/nonexistent/driftlock-bench'],
      { stdio: 'ignore' },
    );
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** `rate` execs per second for `seconds`, or as fast as 4 runners go when rate is null. */
async function load(
  rate: number | null,
  seconds: number,
): Promise<{ execs: number; elapsedMs: number }> {
  const start = Date.now();
  let execs = 0;
  if (rate === null) {
    const perRunner = 5000;
    while (Date.now() - start < seconds * 1000) {
      await Promise.all([1, 2, 3, 4].map(() => runner(perRunner)));
      execs += 4 * perRunner + 4;
    }
    return { execs, elapsedMs: Date.now() - start };
  }
  const slice = Math.round(rate / 10);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < seconds * 10; i++) {
    pending.push(runner(slice));
    execs += slice + 1;
    await sleep(Math.max(0, start + (i + 1) * 100 - Date.now()));
  }
  await Promise.all(pending);
  return { execs, elapsedMs: Date.now() - start };
}

async function step(
  agentPid: number,
  loader: number,
  stateDir: string,
  rate: number | null,
  seconds: number,
) {
  const before = stats(stateDir);
  const agentCpu = cpuMs(agentPid);
  const loaderCpu = cpuMs(loader);
  let maxRss = rssMb(agentPid);
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(agentPid))), 250);
  const { execs, elapsedMs } = await load(rate, seconds);
  const agentCpuUsed = cpuMs(agentPid) - agentCpu;
  const loaderCpuUsed = cpuMs(loader) - loaderCpu;
  // Every exec is a fork, an exec and an exit event: wait for the agent to have seen them.
  const expected = before.eventsSeen + execs * 3;
  const deadline = Date.now() + 2000 + 1100;
  let after = stats(stateDir);
  while (after.eventsSeen < expected * 0.999 && Date.now() < deadline) {
    await sleep(200);
    after = stats(stateDir);
  }
  clearInterval(sampler);
  const drops = after.eventsDropped - before.eventsDropped;
  return {
    target: rate === null ? 'max' : String(rate),
    rate: Math.round((execs * 1000) / elapsedMs),
    agentCpu: (agentCpuUsed / elapsedMs) * 100,
    loaderCpu: (loaderCpuUsed / elapsedMs) * 100,
    maxRss,
    drops,
    keptUp: drops === 0 && after.eventsSeen >= expected * 0.999,
  };
}

async function main(): Promise<void> {
  for (const file of [AGENT, RUNNER, MARKER]) {
    if (!fs.existsSync(file))
      throw new Error(`bench: ${file} is missing (bench/agent-footprint.sh builds it)`);
  }
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-bench-agent-'));
  const agent: ChildProcess = spawn(process.execPath, [AGENT, 'run', '--state-dir', stateDir], {
    env: {
      ...process.env,
      DRIFTLOCK_HEARTBEAT_SECONDS: '1',
      DRIFTLOCK_LOG_LEVEL: 'warn',
      DRIFTLOCK_SENSOR_PATH: path.join(REPO, 'bpf/build/driftlock-sensor'),
      // The deployment setting (deploy/, docs/agent.md): a small young generation keeps RSS low.
      NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS ?? '--max-semi-space-size=1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; i < 100 && !fs.existsSync(path.join(stateDir, 'status.json')); i++)
      await sleep(100);
    await sleep(1500);
    const agentPid = agent.pid as number;
    const loader = loaderPid(agentPid);
    console.log(
      `| target execs/s | achieved execs/s | agent CPU % of one core | loader CPU % | agent max RSS MB | drops | kept up |`,
    );
    console.log(`|---|---|---|---|---|---|---|`);
    const rows = [];
    for (const [rate, seconds] of [
      [1000, 30],
      [2000, 10],
      [4000, 10],
      [null, 10],
    ] as const) {
      const row = await step(agentPid, loader, stateDir, rate, seconds);
      rows.push(row);
      console.log(
        `| ${row.target} | ${row.rate} | ${row.agentCpu.toFixed(1)} | ${row.loaderCpu.toFixed(1)} | ${row.maxRss.toFixed(0)} | ${row.drops} | ${row.keptUp ? 'yes' : 'no'} |`,
      );
    }
    const kept = rows.filter((r) => r.keptUp).map((r) => r.rate);
    console.log(`\nhighest exec rate kept up with: ${kept.length ? Math.max(...kept) : 0} execs/s`);
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
