import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  BulkUpdateThreatsRequest,
  BulkUpdateThreatsResult,
  StorylineView,
  ThreatDetail,
  ThreatListQuery,
  ThreatPage,
  ThreatStats,
  UpdateThreatRequest,
} from '@driftlock/protocol';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody, ValidQuery } from '../common/validation';
import { ThreatsService } from './threats.service';

@Controller('threats')
export class ThreatsController {
  constructor(private readonly threats: ThreatsService) {}

  @Get()
  @RequirePermission('threats:read')
  @ApiSummary('List threats, newest first, with filters and keyset pagination (nextCursor)')
  @Returns(ThreatPage)
  list(@ValidQuery(ThreatListQuery) query: ThreatListQuery): Promise<ThreatPage> {
    return this.threats.list(query);
  }

  @Get('stats')
  @RequirePermission('threats:read')
  @ApiSummary('Counts for the dashboard: unresolved, per day, top namespaces, images, classes')
  @Returns(ThreatStats)
  stats(): Promise<ThreatStats> {
    return this.threats.stats();
  }

  @Post('bulk-status')
  @RequirePermission('threats:write')
  @ApiSummary('Set the status of many threats at once')
  @Returns(BulkUpdateThreatsResult)
  bulkStatus(
    @ValidBody(BulkUpdateThreatsRequest) body: BulkUpdateThreatsRequest,
    @CurrentActor() actor: Actor,
  ): Promise<BulkUpdateThreatsResult> {
    return this.threats.bulkStatus(body, actor);
  }

  @Get(':id')
  @RequirePermission('threats:read')
  @ApiSummary('One threat with its forensics, notes and history')
  @Returns(ThreatDetail)
  detail(@Param('id', ParseUUIDPipe) id: string): Promise<ThreatDetail> {
    return this.threats.detail(id);
  }

  @Patch(':id')
  @RequirePermission('threats:write')
  @ApiSummary('Change status or verdict, or add a note; each change is recorded with who and when')
  @Returns(ThreatDetail)
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @ValidBody(UpdateThreatRequest) body: UpdateThreatRequest,
    @CurrentActor() actor: Actor,
  ): Promise<ThreatDetail> {
    return this.threats.update(id, body, actor);
  }

  @Get(':id/storyline')
  @RequirePermission('threats:read')
  @ApiSummary("The process tree of the threat's storyline")
  @Returns(StorylineView)
  storyline(@Param('id', ParseUUIDPipe) id: string): Promise<StorylineView> {
    return this.threats.storyline(id);
  }
}
