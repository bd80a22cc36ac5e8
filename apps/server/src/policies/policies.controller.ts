import { Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import {
  CreatePolicyExceptionRequest,
  DeletePolicyOverrideQuery,
  PolicyChange,
  PolicyView,
  PutPolicyOverrideRequest,
  UpdatePolicyDefaultRequest,
} from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody, ValidQuery } from '../common/validation';
import { PoliciesService } from './policies.service';

@Controller('policy')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @RequirePermission('policy:read')
  @ApiSummary('The Application Control policy in force, and how many connected agents run it')
  @Returns(PolicyView)
  get(): Promise<PolicyView> {
    return this.policies.view();
  }

  @Put('default')
  @RequirePermission('policy:write')
  @ApiSummary('Set the default (the one-click toggle): enabled and mode')
  @Returns(PolicyView)
  setDefault(
    @ValidBody(UpdatePolicyDefaultRequest) body: UpdatePolicyDefaultRequest,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyView> {
    return this.policies.setDefault(body, actor);
  }

  @Put('overrides')
  @RequirePermission('policy:write')
  @ApiSummary('Set the override for one cluster or one namespace (replaces an existing one)')
  @Returns(PolicyView)
  putOverride(
    @ValidBody(PutPolicyOverrideRequest) body: PutPolicyOverrideRequest,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyView> {
    return this.policies.putOverride(body, actor);
  }

  @Delete('overrides')
  @RequirePermission('policy:write')
  @ApiSummary('Remove the override for one cluster or one namespace')
  @Returns(PolicyView)
  deleteOverride(
    @ValidQuery(DeletePolicyOverrideQuery) query: DeletePolicyOverrideQuery,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyView> {
    return this.policies.deleteOverride(query, actor);
  }

  @Post('exceptions')
  @RequirePermission('policy:write')
  @ApiSummary('Allow a known-good file (by sha256 or path) to run where protection is on')
  @Returns(PolicyView, 201)
  addException(
    @ValidBody(CreatePolicyExceptionRequest) body: CreatePolicyExceptionRequest,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyView> {
    return this.policies.addException(body, actor);
  }

  @Delete('exceptions/:id')
  @RequirePermission('policy:write')
  @ApiSummary('Remove an exception')
  @Returns(PolicyView)
  deleteException(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<PolicyView> {
    return this.policies.deleteException(id, actor);
  }

  @Get('history')
  @RequirePermission('policy:read')
  @ApiSummary('Every version of the policy, newest first, with who changed what')
  @Returns(z.array(PolicyChange))
  history(): Promise<PolicyChange[]> {
    return this.policies.history();
  }
}
