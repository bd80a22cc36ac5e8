import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { PoliciesModule } from '../policies/policies.module';
import { ProcessEventsModule } from '../process-events/process-events.module';
import { QuarantineModule } from '../quarantine/quarantine.module';
import { ThreatsModule } from '../threats/threats.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { AgentGateway } from './agent.gateway';
import { AgentIngestService } from './agent-ingest.service';

@Module({
  imports: [
    AgentsModule,
    PoliciesModule,
    ProcessEventsModule,
    QuarantineModule,
    ThreatsModule,
    WebhooksModule,
  ],
  providers: [AgentGateway, AgentIngestService],
  exports: [AgentGateway],
})
export class GatewayModule {}
