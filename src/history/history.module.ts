import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { RecordsModule } from '../records/records.module.js';
import { HistoryEventsService } from './history-events.service.js';
import { RelationshipEventAssembler } from './relationship-event.assembler.js';

@Module({
  imports: [FilesModule, RecordsModule],
  providers: [HistoryEventsService, RelationshipEventAssembler],
  exports: [HistoryEventsService, RelationshipEventAssembler],
})
export class HistoryModule {}
