import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '../files/files.module.js';
import { RecordsModule } from '../records/records.module.js';
import { UsersModule } from '../users/users.module.js';
import { WebhookOutboxModule } from '../webhooks/outbox/webhook-outbox.module.js';
import { EventFileLink } from './entities/event-file-link.entity.js';
import { HistoryCategory } from './entities/history-category.entity.js';
import { HistoryEvent } from './entities/history-event.entity.js';
import { HistoryCategoriesService } from './history-categories.service.js';
import { HistoryEventsService } from './history-events.service.js';
import { HistoryController } from './history.controller.js';
import { HistoryService } from './history.service.js';

/** History events, their file links and the tenants' categories. */
@Module({
  imports: [
    TypeOrmModule.forFeature([HistoryEvent, EventFileLink, HistoryCategory]),
    FilesModule,
    RecordsModule,
    UsersModule,
    WebhookOutboxModule,
  ],
  controllers: [HistoryController],
  providers: [HistoryEventsService, HistoryCategoriesService, HistoryService],
  exports: [HistoryEventsService, HistoryCategoriesService],
})
export class HistoryModule {}
