import { Module } from '@nestjs/common';
import { ProcessEventsService } from './process-events.service';

/** Process events are written by the gateway and read by the storyline; no REST of their own. */
@Module({ providers: [ProcessEventsService], exports: [ProcessEventsService] })
export class ProcessEventsModule {}
