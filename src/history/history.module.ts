import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { RecordsModule } from '../records/records.module.js';
import { HistoryEventsService } from './history-events.service.js';
import { HistoryController } from './history.controller.js';
import { HistoryService } from './history.service.js';
import { RelationshipEventAssembler } from './relationship-event.assembler.js';

@Module({
  imports: [FilesModule, RecordsModule],
  controllers: [HistoryController],
  providers: [HistoryEventsService, HistoryService, RelationshipEventAssembler],
  exports: [HistoryEventsService, RelationshipEventAssembler],
})
export class HistoryModule {}
