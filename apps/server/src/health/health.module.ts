import { Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthController } from './health.controller';

// Process metrics once per process, however many apps (tests) it boots.
if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();

@Module({ controllers: [HealthController] })
export class HealthModule {}
