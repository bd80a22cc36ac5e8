import { existsSync } from 'node:fs';
import path from 'node:path';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokensModule } from './api-tokens/api-tokens.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { fleetModules } from './fleet.modules';
import { HealthModule } from './health/health.module';
import { UsersModule } from './users/users.module';
import { AuthEntities } from './auth/auth.entities';

const featureModules: Type<unknown>[] = [
  AuthModule,
  AuditModule,
  UsersModule,
  ApiTokensModule,
  HealthModule,
  ...fleetModules,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'login', ttl: 60_000, limit: config.loginAttemptsPerMinute }],
        }),
        DatabaseModule,
        TypeOrmModule.forFeature(AuthEntities),
        ...featureModules,
        ...consoleModule(config.consoleDir),
      ],
    };
  }

  /** The feature modules alone: enough to walk every route without a database. */
  static routesOnly(): DynamicModule {
    return { module: AppModule, imports: featureModules };
  }
}

/** The built console, with every non-API path falling back to index.html for client routing. */
function consoleModule(dir: string): DynamicModule[] {
  if (!dir || !existsSync(path.join(dir, 'index.html'))) return [];
  return [
    ServeStaticModule.forRoot({
      rootPath: dir,
      exclude: ['/api/{*rest}', '/agents/ws', '/socket.io/{*rest}'],
    }),
  ];
}
