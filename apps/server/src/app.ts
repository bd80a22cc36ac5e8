import { ConsoleLogger, INestApplication, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { buildOpenApi } from './openapi/openapi';
import { API_GLOBAL_PREFIX, collectRoutes } from './openapi/routes';
import { SERVER_VERSION } from './version';

const LOG_LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  silent: [],
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** Nest's own start-up chatter (every module and route, one line each) drowns what matters. */
const CHATTY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'WebSocketsController',
]);

class ServerLogger extends ConsoleLogger {
  override log(message: unknown, context?: string): void {
    if (context && CHATTY_CONTEXTS.has(context)) return;
    super.log(message, context);
  }
}

/** The whole server, configured but not listening: `main` and the integration tests share it. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: new ServerLogger({ logLevels: LOG_LEVELS[config.logLevel] }),
    bodyParser: true,
  });
  app.setGlobalPrefix(API_GLOBAL_PREFIX);
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      // Plain-HTTP installs are common on internal networks; HSTS would lock them out.
      strictTransportSecurity: config.secureCookies,
    }),
  );
  app.use(cookieParser());
  const openapi = buildOpenApi(collectRoutes(AppModule.routesOnly()), SERVER_VERSION);
  app.use('/api/docs.json', (_req: unknown, res: { json(b: unknown): void }) => res.json(openapi));
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(openapi));
  app.enableShutdownHooks();
  return app;
}

export function logger(): Logger {
  return new Logger('driftlock');
}
