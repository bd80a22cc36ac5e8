import type { Type } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module';
import { EventsModule } from './events/events.module';
import { GatewayModule } from './gateway/gateway.module';
import { LiveModule } from './live/live.module';
import { PoliciesModule } from './policies/policies.module';
import { ProcessEventsModule } from './process-events/process-events.module';
import { QuarantineModule } from './quarantine/quarantine.module';
import { ThreatsModule } from './threats/threats.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The fleet domains (agents, gateway, policies, threats, ...), imported by AppModule. */
export const fleetModules: Type<unknown>[] = [
  EventsModule,
  AgentsModule,
  PoliciesModule,
  ProcessEventsModule,
  ThreatsModule,
  QuarantineModule,
  WebhooksModule,
  GatewayModule,
  LiveModule,
];
