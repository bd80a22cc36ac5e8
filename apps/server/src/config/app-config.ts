import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The server's environment, validated once at start-up; code reads AppConfig, never process.env. */
const EnvSchema = z.object({
  DRIFTLOCK_HOST: z.string().default('127.0.0.1'),
  DRIFTLOCK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Postgres connection; when unset, `start` runs an embedded Postgres in DRIFTLOCK_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DRIFTLOCK_DATA_DIR: z.string().default(path.resolve(process.cwd(), '.driftlock')),
  /** The URL people and agents reach this server at (printed, used in install snippets). */
  DRIFTLOCK_PUBLIC_URL: z.string().url().optional(),
  /** Built console to serve; empty to serve none. */
  DRIFTLOCK_CONSOLE_DIR: z
    .string()
    .default(path.resolve(__dirname, '..', '..', '..', 'console', 'dist')),
  DRIFTLOCK_ADMIN_EMAIL: z.string().email().default('admin@driftlock.local'),
  /** First admin's password; generated and printed once when unset. */
  DRIFTLOCK_ADMIN_PASSWORD: z.string().min(12).optional(),
  DRIFTLOCK_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  DRIFTLOCK_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  DRIFTLOCK_AGENT_OFFLINE_AFTER_SECONDS: z.coerce.number().int().positive().default(60),
  DRIFTLOCK_PROCESS_EVENT_RETENTION_DAYS: z.coerce.number().int().positive().default(14),
  DRIFTLOCK_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Secure cookies need HTTPS; off for plain-HTTP local installs. */
  DRIFTLOCK_SECURE_COOKIES: bool.default(false),
  /** start.sh sets it: write a one-use enrollment token for the local agent to this file. */
  DRIFTLOCK_LOCAL_AGENT_TOKEN_FILE: z.string().optional(),
  DRIFTLOCK_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent'])
    .default('info'),
});

export class AppConfig {
  readonly host!: string;
  readonly port!: number;
  /** Null until the embedded Postgres is up, when DATABASE_URL is unset. */
  readonly databaseUrl!: string | null;
  readonly dataDir!: string;
  readonly publicUrl!: string;
  readonly consoleDir!: string;
  readonly adminEmail!: string;
  readonly adminPassword!: string | null;
  readonly sessionTtlHours!: number;
  readonly loginAttemptsPerMinute!: number;
  readonly agentOfflineAfterSeconds!: number;
  readonly processEventRetentionDays!: number;
  readonly webhookTimeoutMs!: number;
  readonly secureCookies!: boolean;
  readonly localAgentTokenFile!: string | null;
  readonly logLevel!: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }
}

export class ConfigError extends Error {}

/** Parses the environment; throws one error listing every invalid variable. */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Partial<AppConfig> = {},
): AppConfig {
  // An empty variable (`FOO=` in compose files) means unset, not an empty value.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return new AppConfig({
    host: e.DRIFTLOCK_HOST,
    port: e.DRIFTLOCK_PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.DRIFTLOCK_DATA_DIR,
    publicUrl: e.DRIFTLOCK_PUBLIC_URL ?? `http://${e.DRIFTLOCK_HOST}:${e.DRIFTLOCK_PORT}`,
    consoleDir: e.DRIFTLOCK_CONSOLE_DIR,
    adminEmail: e.DRIFTLOCK_ADMIN_EMAIL,
    adminPassword: e.DRIFTLOCK_ADMIN_PASSWORD ?? null,
    sessionTtlHours: e.DRIFTLOCK_SESSION_TTL_HOURS,
    loginAttemptsPerMinute: e.DRIFTLOCK_LOGIN_ATTEMPTS_PER_MINUTE,
    agentOfflineAfterSeconds: e.DRIFTLOCK_AGENT_OFFLINE_AFTER_SECONDS,
    processEventRetentionDays: e.DRIFTLOCK_PROCESS_EVENT_RETENTION_DAYS,
    webhookTimeoutMs: e.DRIFTLOCK_WEBHOOK_TIMEOUT_MS,
    secureCookies: e.DRIFTLOCK_SECURE_COOKIES,
    localAgentTokenFile: e.DRIFTLOCK_LOCAL_AGENT_TOKEN_FILE ?? null,
    logLevel: e.DRIFTLOCK_LOG_LEVEL,
    ...overrides,
  });
}

/** For logs: the URL with its password replaced. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

export function loadConfigFromEnvironment(): AppConfig {
  return loadConfig(process.env);
}
