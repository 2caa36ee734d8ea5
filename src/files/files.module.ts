import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { WebhookOutboxModule } from '../webhooks/outbox/webhook-outbox.module.js';
import { ContentReaper } from './content-reaper.js';
import { CrmFile } from './entities/crm-file.entity.js';
import { Folder } from './entities/folder.entity.js';
import { FileIntakeService } from './file-intake.service.js';
import { FilesService } from './files.service.js';
import { FoldersService } from './folders.service.js';

/** Everything about a file: rows, folders, intake, contents (through the storage module), download, deletion, and the reaper of what a crash leaves in storage. */
@Module({
  imports: [TypeOrmModule.forFeature([CrmFile, Folder]), UsersModule, WebhookOutboxModule],
  providers: [FilesService, FoldersService, FileIntakeService, ContentReaper],
  exports: [FilesService, FoldersService, FileIntakeService, ContentReaper],
})
export class FilesModule {}
