import { Controller, Get } from '@nestjs/common';
import { AuditEntry, AuditQuery } from '@driftlock/protocol';
import { z } from 'zod';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidQuery } from '../common/validation';
import { AuditService } from './audit.service';

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission('audit:read')
  @ApiSummary('Every change made by a person, token, agent or the system, newest first')
  @Returns(z.array(AuditEntry))
  list(@ValidQuery(AuditQuery) query: AuditQuery): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }
}
