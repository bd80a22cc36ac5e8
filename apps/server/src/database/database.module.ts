import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { AppConfig, ConfigError } from '../config/app-config';
import { migrations } from './migrations';

/** Postgres through TypeORM; the schema comes from migrations only, applied at start-up. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        type: 'postgres',
        url: requireDatabaseUrl(config),
        autoLoadEntities: true,
        synchronize: false,
        migrations,
        migrationsRun: true,
        migrationsTransactionMode: 'each',
        namingStrategy: new SnakeNamingStrategy(),
        extra: { max: 20, application_name: 'driftlock-server' },
      }),
    }),
  ],
})
export class DatabaseModule {}

function requireDatabaseUrl(config: AppConfig): string {
  if (!config.databaseUrl)
    throw new ConfigError('database: no DATABASE_URL and no embedded Postgres');
  return config.databaseUrl;
}
