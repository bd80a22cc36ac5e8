import { Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  CreatedEnrollmentToken,
  CreateEnrollmentTokenRequest,
  EnrollmentToken,
} from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody } from '../common/validation';
import { EnrollmentTokensService } from './enrollment-tokens.service';

@Controller('enrollment-tokens')
export class EnrollmentTokensController {
  constructor(private readonly tokens: EnrollmentTokensService) {}

  @Get()
  @RequirePermission('agents:write')
  @ApiSummary('List enrollment tokens (never the tokens themselves)')
  @Returns(z.array(EnrollmentToken))
  list(): Promise<EnrollmentToken[]> {
    return this.tokens.list();
  }

  @Post()
  @RequirePermission('agents:write')
  @ApiSummary('Create an enrollment token for agents; the token is shown only in this response')
  @Returns(CreatedEnrollmentToken, 201)
  create(
    @ValidBody(CreateEnrollmentTokenRequest) body: CreateEnrollmentTokenRequest,
    @CurrentActor() actor: Actor,
  ): Promise<CreatedEnrollmentToken> {
    return this.tokens.create(body, actor);
  }

  @Delete(':id')
  @RequirePermission('agents:write')
  @ApiSummary('Revoke an enrollment token: no new enrollments, enrolled agents keep working')
  @Returns(EnrollmentToken)
  revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<EnrollmentToken> {
    return this.tokens.revoke(id, actor);
  }
}
