/**
 * Ingest benchmark: N agents stream process-event batches over real WebSockets to a real server
 * process on a real Postgres, and we count the events the server acknowledged (it acks a batch
 * only after committing it) per second, sustained.
 *
 *   pnpm bench ingest [--agents 4] [--seconds 30] [--batch 1000] [--in-flight 4]
 *
 * Postgres: BENCH_DATABASE_URL or TEST_DATABASE_URL (a maintenance database to create a scratch
 * database in), default postgres://postgres:postgres@127.0.0.1:5432/postgres.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import type { ProcessEvent } from '../packages/protocol/src';

const ROOT = path.resolve(__dirname, '..');
const SERVER_DIR = path.join(ROOT, 'apps/server');
// The server's own dependencies: the bench talks to it as an agent would, with `ws`.
const serverRequire = createRequire(path.join(SERVER_DIR, 'package.json'));
const { WebSocket } = serverRequire('ws') as typeof import('ws');
const { Client } = serverRequire('pg') as typeof import('pg');

interface Options {
  agents: number;
  seconds: number;
  batch: number;
  inFlight: number;
  warmup: number;
}

function options(argv: string[]): Options {
  const o: Options = { agents: 4, seconds: 30, batch: 1000, inFlight: 4, warmup: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c: string) => c.toUpperCase());
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isFinite(value) || value <= 0) {
      throw new Error(`bench ingest: bad option ${argv[i]} ${argv[i + 1] ?? ''}`);
    }
    o[key as keyof Options] = value;
  }
  return o;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function scratchDatabase(adminUrl: string) {
  const name = `dl_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function waitHealthy(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server not healthy after 60 s');
}

async function call<T>(base: string, pathname: string, body: unknown, cookie = ''): Promise<T> {
  const res = await fetch(`${base}/api/v1${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${pathname}: HTTP ${res.status} ${await res.text()}`);
  if (pathname === '/auth/login') return (res.headers.get('set-cookie') ?? '').split(';')[0] as T;
  return (await res.json()) as T;
}

/** The server creates its first admin just after it starts listening: retry briefly. */
async function signIn(base: string, password: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call<string>(base, '/auth/login', { email: 'bench@driftlock.local', password });
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A container's worth of plausible execs and exits, serialised once and reused per batch. */
function eventsJson(agent: number, size: number): string {
  const events: ProcessEvent[] = [];
  const now = Date.now();
  for (let i = 0; i < size; i++) {
    const processId = `a${agent}-p${i}`;
    const storylineId = `a${agent}-s${i % 50}`;
    const at = new Date(now + i).toISOString();
    events.push(
      i % 4 === 3
        ? {
            kind: 'exit',
            eventId: `e${i}`,
            processId,
            storylineId,
            exitedAt: at,
            exitCode: 0,
            signal: null,
          }
        : {
            kind: 'exec',
            eventId: `e${i}`,
            process: {
              processId,
              parentProcessId: `a${agent}-p${i - 1}`,
              storylineId,
              pid: 1000 + i,
              ppid: 999 + i,
              exe: '/usr/bin/curl',
              args: ['curl', '-sS', `https://api.internal/items/${i}`, '-o', '/tmp/out.json'],
              argsTruncated: false,
              cwd: '/srv/app',
              uid: 1000,
              user: 'app',
              startedAt: at,
              exitedAt: null,
              exitCode: null,
              signal: null,
              flags: [],
              containerId: `c0ffee${agent}`,
              origin: null,
            },
          },
    );
  }
  return JSON.stringify(events);
}

interface AgentRun {
  acked: number;
  errors: string[];
  stop(): void;
  done: Promise<void>;
}

function runAgent(
  base: string,
  creds: { agentId: string; secret: string },
  n: number,
  o: Options,
): Promise<AgentRun> {
  const events = eventsJson(n, o.batch);
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/agents/ws', {
    headers: { authorization: `Bearer ${creds.agentId}.${creds.secret}` },
  });
  let seq = 0;
  let stopping = false;
  let outstanding = 0;
  const run: AgentRun = {
    acked: 0,
    errors: [],
    stop: () => (stopping = true),
    done: Promise.resolve(),
  };
  const send = () => {
    seq++;
    outstanding++;
    ws.send(
      `{"v":1,"id":"${randomUUID()}","seq":${seq},"sentAt":"${new Date().toISOString()}",` +
        `"type":"process_events","events":${events}}`,
    );
  };
  return new Promise((resolve, reject) => {
    run.done = new Promise((finished) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; message?: string };
        if (frame.type === 'ack') {
          outstanding--;
          run.acked += o.batch;
          if (!stopping) send();
          else if (outstanding === 0) ws.close();
        } else if (frame.type === 'error') {
          run.errors.push(frame.message ?? 'error frame');
        }
      });
      ws.on('close', () => finished());
    });
    ws.once('open', () => {
      for (let i = 0; i < o.inFlight; i++) send();
      resolve(run);
    });
    ws.once('error', reject);
  });
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  execFileSync(
    'pnpm',
    ['--filter', '@driftlock/protocol', '--filter', '@driftlock/server', 'build'],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  const db = await scratchDatabase(adminUrl);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const password = randomBytes(12).toString('hex');
  const server = spawn('node', [path.join(SERVER_DIR, 'dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DRIFTLOCK_HOST: '127.0.0.1',
      DRIFTLOCK_PORT: String(port),
      DRIFTLOCK_ADMIN_EMAIL: 'bench@driftlock.local',
      DRIFTLOCK_ADMIN_PASSWORD: password,
      DRIFTLOCK_CONSOLE_DIR: '',
      DRIFTLOCK_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitHealthy(base, server);
    const cookie = await signIn(base, password);
    const { token } = await call<{ token: string }>(
      base,
      '/enrollment-tokens',
      { name: 'bench', expiresAt: null, maxUses: null },
      cookie,
    );
    const agents: AgentRun[] = [];
    for (let i = 0; i < o.agents; i++) {
      const creds = await call<{ agentId: string; secret: string }>(base, '/agents/enroll', {
        token,
        agent: {
          version: 'bench',
          hostname: `bench-${i}`,
          kind: 'linux',
          cluster: null,
          node: null,
          kernel: 'bench',
        },
      });
      agents.push(await runAgent(base, creds, i, o));
    }
    const total = () => agents.reduce((s, a) => s + a.acked, 0);
    await new Promise((r) => setTimeout(r, o.warmup * 1000));
    const startCount = total();
    const started = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const events = total() - startCount;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const a of agents) a.stop();
    await Promise.all(agents.map((a) => a.done));

    const check = new Client({ connectionString: db.url });
    await check.connect();
    const [{ n }] = (await check.query('SELECT count(*)::int AS n FROM process_events')).rows;
    await check.end();
    const acked = total();
    const errors = agents.flatMap((a) => a.errors);
    const rate = Math.round(events / seconds);
    process.stdout.write(
      [
        `agents ${o.agents}, batch ${o.batch} events, ${o.inFlight} batches in flight per agent`,
        `sustained ${rate} events/s over ${seconds.toFixed(1)} s (after ${o.warmup} s warm-up)`,
        `acked ${acked} events in total, ${n} rows in process_events, ${errors.length} error frames`,
      ].join('\n') + '\n',
    );
    if (n !== acked || errors.length > 0) {
      throw new Error(
        `stored ${n} rows for ${acked} acked events; errors: ${errors.slice(0, 3).join('; ')}`,
      );
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await db.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench ingest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
