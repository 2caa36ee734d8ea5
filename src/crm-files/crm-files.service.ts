import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { InvalidRequestError } from '../common/errors/api-error.js';
import type { RelationshipEventDto } from '../history/dto/relationship-event.dto.js';
import { HistoryEventsService } from '../history/history-events.service.js';
import { FILES_UPLOADED_CATEGORY, FILES_UPLOADED_CONTENT } from '../history/system-categories.js';
import type { RecordRef } from '../records/record-ref.js';
import { RecordsService } from '../records/records.service.js';
import type { AttachFilesDto } from './dto/attach-files.dto.js';

/** The Files API of a CRM record. */
@Injectable()
export class CrmFilesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: RecordsService,
    private readonly history: HistoryEventsService,
  ) {}

  /** SPEC §4.1: one "Files are uploaded" event linking the files, or nothing at all. */
  async attach(caller: AuthenticatedUser, target: RecordRef, body: AttachFilesDto): Promise<RelationshipEventDto> {
    const fileIds = this.distinctFileIds(body.fileids);
    this.assertBodyNamesTarget(target, body);
    const record = await this.records.findReadable(caller, target);
    return this.history.record(caller, {
      record,
      categoryId: FILES_UPLOADED_CATEGORY,
      content: FILES_UPLOADED_CONTENT,
      createdAt: new Date(),
      fileIds,
    });
  }

  /** The limit counts ids as sent; repeats then count once, keeping the first-seen order. */
  distinctFileIds(fileIds: number[]): number[] {
    if (fileIds.length > this.config.maxFileIds) {
      throw new InvalidRequestError(`At most ${this.config.maxFileIds} file ids may be sent at once.`, [
        { field: 'fileids', message: `fileids must contain no more than ${this.config.maxFileIds} elements` },
      ]);
    }
    return [...new Set(fileIds)];
  }

  private assertBodyNamesTarget(target: RecordRef, body: AttachFilesDto): void {
    const errors = [];
    if (body.entityType !== undefined && body.entityType.toLowerCase() !== target.type) {
      errors.push({ field: 'entityType', message: `entityType must equal the path's entity type (${target.type})` });
    }
    if (body.entityid !== undefined && body.entityid !== target.id) {
      errors.push({ field: 'entityid', message: `entityid must equal the path's entity id (${target.id})` });
    }
    if (errors.length > 0) throw new InvalidRequestError('The body names another record than the path.', errors);
  }
}
