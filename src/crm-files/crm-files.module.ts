import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { HistoryModule } from '../history/history.module.js';
import { RecordsModule } from '../records/records.module.js';
import { WebhookOutboxModule } from '../webhooks/outbox/webhook-outbox.module.js';
import { CrmFilesController } from './crm-files.controller.js';
import { CrmFilesService } from './crm-files.service.js';

/** The Files API of CRM records: owns no table, composes records, files and history. */
@Module({
  imports: [FilesModule, HistoryModule, RecordsModule, WebhookOutboxModule],
  controllers: [CrmFilesController],
  providers: [CrmFilesService],
})
export class CrmFilesModule {}
