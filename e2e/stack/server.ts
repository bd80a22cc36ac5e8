import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../../apps/server/test/test-database-url';
import { freeLoopbackPort } from '../cluster/file-server';

export const REPO = path.resolve(__dirname, '..', '..');
export { TEST_DATABASE_URL };
export const ADMIN_EMAIL = 'admin@e2e.driftlock';
export const ADMIN_PASSWORD = 'e2e admin password';

export interface RunningServer {
  url: string;
  databaseUrl: string;
  logs: () => string;
  stop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The built server (`apps/server/dist`) as its own process on a fresh database, serving the built console. */
export async function startServer(): Promise<RunningServer> {
  const db = `dl_e2e_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${db}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${db}`;
  const port = await freeLoopbackPort();
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(REPO, 'apps/server/dist/main.js')],
    {
      env: {
        ...process.env,
        DATABASE_URL: url.toString(),
        DRIFTLOCK_PORT: String(port),
        DRIFTLOCK_HOST: '127.0.0.1',
        DRIFTLOCK_ADMIN_EMAIL: ADMIN_EMAIL,
        DRIFTLOCK_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DRIFTLOCK_LOG_LEVEL: process.env.DRIFTLOCK_E2E_SERVER_LOG_LEVEL ?? 'info',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${output}`);
    // main.ts listens before it creates the first admin, and prints this line after: wait for both.
    const ok = await fetch(`${base}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok && output.includes('driftlock is running at')) break;
    if (Date.now() > deadline) throw new Error(`server not healthy after 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: base,
    databaseUrl: url.toString(),
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    },
  };
}
