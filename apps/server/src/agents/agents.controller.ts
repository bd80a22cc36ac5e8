import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Agent, EnrollRequest, EnrollResponse } from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, Public, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody } from '../common/validation';
import { AgentsService } from './agents.service';

@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post('enroll')
  @Public()
  @ApiSummary("Exchange an enrollment token for the agent's own id and secret (shown once)")
  @Returns(EnrollResponse, 201)
  enroll(@ValidBody(EnrollRequest) body: EnrollRequest): Promise<EnrollResponse> {
    return this.agents.enroll(body);
  }

  @Get()
  @RequirePermission('agents:read')
  @ApiSummary('List agents with their online / offline status')
  @Returns(z.array(Agent))
  list(): Promise<Agent[]> {
    return this.agents.list();
  }

  @Get(':id')
  @RequirePermission('agents:read')
  @ApiSummary('One agent')
  @Returns(Agent)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Agent> {
    return this.agents.get(id);
  }

  @Post(':id/decommission')
  @RequirePermission('agents:write')
  @ApiSummary('Decommission an agent: its credentials stop working and its socket is closed')
  @Returns(Agent)
  decommission(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<Agent> {
    return this.agents.decommission(id, actor);
  }
}
