import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { HistoryModule } from '../history/history.module.js';
import { RecordsModule } from '../records/records.module.js';
import { CrmFilesController } from './crm-files.controller.js';
import { CrmFilesService } from './crm-files.service.js';
import { FileUploadService } from './file-upload.service.js';

@Module({
  imports: [FilesModule, HistoryModule, RecordsModule],
  controllers: [CrmFilesController],
  providers: [CrmFilesService, FileUploadService],
})
export class CrmFilesModule {}
