import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { PoliciesModule } from '../policies/policies.module';
import { ThreatsModule } from '../threats/threats.module';
import { LiveGateway } from './live.gateway';

@Module({
  imports: [AgentsModule, PoliciesModule, ThreatsModule],
  providers: [LiveGateway],
})
export class LiveModule {}
