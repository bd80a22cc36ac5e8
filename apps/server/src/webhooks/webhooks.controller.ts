import { Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CreatedWebhook, CreateWebhookRequest, Webhook } from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody } from '../common/validation';
import { WebhooksService } from './webhooks.service';

@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequirePermission('webhooks:read')
  @ApiSummary('List webhooks with their last delivery (never their secrets)')
  @Returns(z.array(Webhook))
  list(): Promise<Webhook[]> {
    return this.webhooks.list();
  }

  @Post()
  @RequirePermission('webhooks:write')
  @ApiSummary('Add a webhook: a signed JSON POST per new threat; the secret is shown only here')
  @Returns(CreatedWebhook, 201)
  create(
    @ValidBody(CreateWebhookRequest) body: CreateWebhookRequest,
    @CurrentActor() actor: Actor,
  ): Promise<CreatedWebhook> {
    return this.webhooks.create(body, actor);
  }

  @Delete(':id')
  @RequirePermission('webhooks:write')
  @ApiSummary('Delete a webhook and its pending deliveries')
  @Returns(null, 204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.webhooks.remove(id, actor);
  }
}
