import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentEntity } from './agent.entity';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { EnrollmentTokenEntity } from './enrollment-token.entity';
import { EnrollmentTokensController } from './enrollment-tokens.controller';
import { EnrollmentTokensService } from './enrollment-tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([AgentEntity, EnrollmentTokenEntity])],
  controllers: [EnrollmentTokensController, AgentsController],
  providers: [AgentsService, EnrollmentTokensService],
  exports: [AgentsService],
})
export class AgentsModule {}
