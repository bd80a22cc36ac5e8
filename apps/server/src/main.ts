import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { INestApplication } from '@nestjs/common';
import { EnrollmentTokensService } from './agents/enrollment-tokens.service';
import {
  AppConfig,
  ConfigError,
  loadConfigFromEnvironment,
  maskDatabaseUrl,
} from './config/app-config';
import { createApp, logger } from './app';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { UsersService } from './users/users.service';

async function main(): Promise<void> {
  const log = logger();
  const env = loadConfigFromEnvironment();
  let embedded: EmbeddedDatabase | null = null;
  if (!env.databaseUrl) {
    log.log(`no DATABASE_URL: starting the embedded Postgres in ${env.dataDir}`);
    embedded = await startEmbeddedPostgres(env.dataDir);
  }
  const config = new AppConfig({ ...env, databaseUrl: env.databaseUrl ?? embedded!.url });
  log.log(`database ${maskDatabaseUrl(config.databaseUrl!)}`);
  const app = await createApp(config);
  await app.init();
  const admin = await app
    .get(UsersService)
    .ensureFirstAdmin(config.adminEmail, config.adminPassword);
  const lines = [`driftlock is running at ${config.publicUrl}`];
  if (admin.created) {
    lines.push(`first admin: ${config.adminEmail}`);
    lines.push(
      admin.generatedPassword
        ? `password (shown once, change it in the console): ${admin.generatedPassword}`
        : 'password: the one in DRIFTLOCK_ADMIN_PASSWORD',
    );
  }
  if (config.localAgentTokenFile) await writeLocalAgentToken(app, config.localAgentTokenFile);
  // The admin exists before the port opens, so a first login never races its creation.
  await app.listen(config.port, config.host);
  process.stdout.write(lines.map((l) => `  ${l}\n`).join(''));

  const stop = async () => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A one-use, short-lived token so start.sh can enroll this host's agent with no person involved. */
async function writeLocalAgentToken(app: INestApplication, file: string): Promise<void> {
  const { token } = await app.get(EnrollmentTokensService).create(
    {
      name: `local agent (${os.hostname()})`,
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      maxUses: 1,
    },
    { kind: 'system' },
  );
  writeFileSync(file, token + '\n', { mode: 0o600 });
}

main().catch((e: unknown) => {
  process.stderr.write(
    `driftlock server: ${e instanceof ConfigError ? e.message : (e as Error).stack}\n`,
  );
  process.exit(1);
});
