import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProcessEventsModule } from '../process-events/process-events.module';
import { ThreatChangeEntity, ThreatEntity, ThreatNoteEntity } from './threat.entity';
import { ThreatsController } from './threats.controller';
import { ThreatsService } from './threats.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([ThreatEntity, ThreatNoteEntity, ThreatChangeEntity]),
    ProcessEventsModule,
  ],
  controllers: [ThreatsController],
  providers: [ThreatsService],
  exports: [ThreatsService],
})
export class ThreatsModule {}
