import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { ApiSummary, Returns } from '../common/validation';

export const HealthStatus = z.object({
  status: z.literal('ok'),
  database: z.literal('up'),
  pendingMigrations: z.literal(false),
});
type HealthStatus = z.infer<typeof HealthStatus>;

@Controller()
export class HealthController {
  constructor(private readonly db: DataSource) {}

  @Get('health')
  @Public()
  @ApiSummary('Liveness and readiness: the database answers and the schema is current')
  @Returns(HealthStatus)
  async health(): Promise<HealthStatus> {
    try {
      await this.db.query('SELECT 1');
    } catch (e) {
      throw new ServiceUnavailableException(`database: ${(e as Error).message}`);
    }
    if (await this.db.showMigrations()) {
      throw new ServiceUnavailableException('database: migrations pending');
    }
    return { status: 'ok', database: 'up', pendingMigrations: false };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', register.contentType)
  @ApiSummary('Prometheus metrics (text exposition format)')
  @Returns(z.string())
  metrics(): Promise<string> {
    return register.metrics();
  }
}
