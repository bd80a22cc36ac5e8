import { Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiToken, CreateApiTokenRequest, CreatedApiToken } from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody } from '../common/validation';
import { ApiTokensService } from './api-tokens.service';

@Controller('api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @RequirePermission('tokens:write')
  @ApiSummary('List API tokens (never the tokens themselves)')
  @Returns(z.array(ApiToken))
  list(): Promise<ApiToken[]> {
    return this.tokens.list();
  }

  @Post()
  @RequirePermission('tokens:write')
  @ApiSummary('Create an API token for an integration; the token is shown only in this response')
  @Returns(CreatedApiToken, 201)
  create(
    @ValidBody(CreateApiTokenRequest) body: CreateApiTokenRequest,
    @CurrentActor() actor: Actor,
  ): Promise<CreatedApiToken> {
    return this.tokens.create(body, actor);
  }

  @Delete(':id')
  @RequirePermission('tokens:write')
  @ApiSummary('Revoke an API token: it stops working at once')
  @Returns(ApiToken)
  revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<ApiToken> {
    return this.tokens.revoke(id, actor);
  }
}
