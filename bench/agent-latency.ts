// Detection-to-report latency of the host agent: from the exec of a drift binary (the sensor's
// timestamp, carried in the threat as detectedAt) to the threat arriving at the server over the
// agent's WebSocket. In protect mode, so each sample includes the in-kernel kill, the quarantine
// (copy, fsync, verify, unlink), the outbox write (fsync) and the send.
// Run through bench/agent-latency.sh (builds what it needs). Needs root.
//
// The container is an overlay root with a /docker/<id> cgroup (what the agent's integration
// spec uses); the server is a WebSocket endpoint in this script that acks every message, so the
// figure leaves out the real server's database write.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';

const REPO = path.resolve(__dirname, '..');
const AGENT = path.join(REPO, 'apps/agent/dist/main.js');
const SAMPLES = Number(process.argv[2] ?? 100);
const agentRequire = createRequire(path.join(REPO, 'apps/agent/package.json'));
/** The little of `ws` used here: the bench has no dependencies of its own, it borrows the agent's. */
interface Socket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  send(data: string): void;
}
interface SocketServer {
  on(event: 'connection', listener: (ws: Socket) => void): void;
  close(): void;
}
const { WebSocketServer } = agentRequire('ws') as {
  WebSocketServer: new (options: { server: http.Server; path: string }) => SocketServer;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Threat {
  commandLine: string;
  detectedAt: string;
}

function run(file: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) =>
    spawn(file, args, { stdio: 'ignore' }).on('exit', (code) => resolve(code)),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-latency-'));
  const id = randomBytes(32).toString('hex');
  const cgroup = `/sys/fs/cgroup/unified/docker/${id}`;
  const merged = path.join(work, 'merged');
  for (const d of ['lower/bin', 'lower/tmp', 'upper', 'work', 'merged', 'state'])
    fs.mkdirSync(path.join(work, d), { recursive: true });
  fs.copyFileSync('/usr/bin/busybox', path.join(work, 'lower/bin/busybox'));
  fs.chmodSync(path.join(work, 'lower/bin/busybox'), 0o755);
  execFileSync('mount', [
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${work}/lower,upperdir=${work}/upper,workdir=${work}/work`,
    merged,
  ]);
  fs.mkdirSync(cgroup, { recursive: true });

  const received = new Map<string, { threat: Threat; at: number }>();
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/agents/ws' });
  let policyApplied = false;
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const at = Date.now();
      ws.send(
        JSON.stringify({ v: 1, type: 'ack', id: message.id, seq: message.seq, duplicate: false }),
      );
      if (message.type === 'hello') {
        const policy = {
          version: 1,
          default: { enabled: true, mode: 'protect' },
          overrides: [],
          exceptions: [],
        };
        ws.send(JSON.stringify({ v: 1, type: 'policy', policy }));
      }
      if (message.type === 'policy_applied') policyApplied = true;
      if (message.type === 'threat')
        received.set(message.threat.commandLine, { threat: message.threat, at });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stateDir = path.join(work, 'state');
  fs.writeFileSync(
    path.join(stateDir, 'credentials.json'),
    JSON.stringify({
      server: url,
      agentId: randomUUID(),
      secret: 'bench',
      enrolledAt: new Date().toISOString(),
    }),
    { mode: 0o600 },
  );

  let logs = '';
  const agent: ChildProcess = spawn(
    process.execPath,
    ['--max-semi-space-size=1', AGENT, 'run', '--state-dir', stateDir],
    {
      env: {
        ...process.env,
        DRIFTLOCK_LOG_LEVEL: 'info',
        DRIFTLOCK_SENSOR_PATH: path.join(REPO, 'bpf/build/driftlock-sensor'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  agent.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const inContainer = (script: string) =>
    run('sh', [
      '-c',
      `echo $$ > ${cgroup}/cgroup.procs && exec chroot ${merged} /bin/busybox sh -c '${script}'`,
    ]);
  const init = spawn(
    'sh',
    ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec chroot ${merged} /bin/busybox sleep 3600`],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; i < 300 && !(policyApplied && logs.includes(`"container":"${id}"`)); i++)
      await sleep(100);
    if (!logs.includes(`"container":"${id}"`))
      throw new Error(`bench: the agent never set a mode for the container:\n${logs}`);
    const latencies: number[] = [];
    for (let n = 1; n <= SAMPLES; n++) {
      const command = `./m${n} true`;
      const code = await inContainer(
        `cd /tmp && /bin/busybox cp /bin/busybox m${n} && ${command}; exit $?`,
      );
      if (code !== 137) throw new Error(`bench: ${command} exited ${code}, expected 137 (killed)`);
      const deadline = Date.now() + 10_000;
      while (!received.has(command) && Date.now() < deadline) await sleep(2);
      const sample = received.get(command);
      if (!sample) throw new Error(`bench: no threat for ${command} within 10 s`);
      latencies.push(sample.at - Date.parse(sample.threat.detectedAt));
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`| samples | median ms | p90 ms | p99 ms | max ms |`);
    console.log(`|---|---|---|---|---|`);
    console.log(
      `| ${SAMPLES} | ${percentile(sorted, 50)} | ${percentile(sorted, 90)} | ${percentile(sorted, 99)} | ${sorted[sorted.length - 1]} |`,
    );
  } finally {
    agent.kill('SIGTERM');
    init.kill('SIGKILL');
    await new Promise((resolve) => agent.once('exit', resolve));
    wss.close();
    server.close();
    execFileSync('umount', ['-l', merged]);
    await sleep(200);
    fs.rmdirSync(cgroup);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
