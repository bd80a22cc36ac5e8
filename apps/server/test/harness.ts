import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Role } from '@driftlock/protocol';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app';
import { ApiTokensService } from '../src/api-tokens/api-tokens.service';
import type { Actor } from '../src/auth/actor';
import { loadConfig } from '../src/config/app-config';
import { UsersService } from '../src/users/users.service';

import { TEST_DATABASE_URL } from './test-database-url';

export { TEST_DATABASE_URL };

export const FIXTURE_PASSWORD = 'correct horse battery staple';
export const fixtureEmail = (role: Role) => `${role}@test.driftlock`;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `dl_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface RunningServer {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** One server process's worth of app on `databaseUrl`, listening on a free loopback port. */
export async function bootServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DRIFTLOCK_PORT: '0',
    DRIFTLOCK_LOG_LEVEL: 'error',
    DRIFTLOCK_CONSOLE_DIR: '',
    DRIFTLOCK_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface TestApp extends RunningServer {
  db: DataSource;
  databaseUrl: string;
  /** A user of each role exists; this signs one in and returns the `Cookie` header value. */
  login(role: Role): Promise<string>;
  /** A fresh API token of that role. */
  apiToken(role: Role): Promise<string>;
  users: Record<Role, string>;
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const server = await bootServer(database.url, env);
  const usersService = server.app.get(UsersService);
  const users = {} as Record<Role, string>;
  for (const role of ['admin', 'analyst', 'viewer'] as const) {
    const user = await usersService.create(
      { email: fixtureEmail(role), name: `Test ${role}`, role, password: FIXTURE_PASSWORD },
      null,
    );
    users[role] = user.id;
  }
  const adminActor: Actor = {
    kind: 'user',
    id: users.admin,
    name: fixtureEmail('admin'),
    role: 'admin',
  };
  return {
    ...server,
    db: server.app.get(DataSource),
    databaseUrl: database.url,
    users,
    login: async (role) => {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: fixtureEmail(role), password: FIXTURE_PASSWORD }),
      });
      if (res.status !== 200)
        throw new Error(`login as ${role}: HTTP ${res.status} ${await res.text()}`);
      const cookie = res.headers.get('set-cookie');
      if (!cookie) throw new Error(`login as ${role}: no Set-Cookie`);
      return cookie.split(';')[0];
    },
    apiToken: async (role) => {
      const created = await server.app
        .get(ApiTokensService)
        .create({ name: `test ${role}`, role, expiresAt: null }, adminActor);
      return created.token;
    },
    close: async () => {
      await server.close();
      await database.drop();
    },
  };
}

/** A response body, typed with the protocol shape its route documents. */
export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
