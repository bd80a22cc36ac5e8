import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { QuarantineItem } from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns } from '../common/validation';
import { QuarantineService } from './quarantine.service';

@Controller('quarantine')
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineService) {}

  @Get()
  @RequirePermission('quarantine:read')
  @ApiSummary('Files that agents quarantined, newest first')
  @Returns(z.array(QuarantineItem))
  list(): Promise<QuarantineItem[]> {
    return this.quarantine.list();
  }

  @Post(':id/restore')
  @RequirePermission('quarantine:write')
  @ApiSummary('Ask the owning agent to put the file back; the item shows the result when it comes')
  @Returns(QuarantineItem, 202)
  restore(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<QuarantineItem> {
    return this.quarantine.request(id, 'quarantine_restore', actor);
  }

  @Post(':id/delete')
  @RequirePermission('quarantine:write')
  @ApiSummary('Ask the owning agent to delete the file for good')
  @Returns(QuarantineItem, 202)
  delete(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<QuarantineItem> {
    return this.quarantine.request(id, 'quarantine_delete', actor);
  }
}
