import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { FilesNotFoundError, InvalidRequestError } from '../common/errors/api-error.js';
import { isForeignKeyViolation } from '../common/errors/database-errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Transactions } from '../database/transactions.js';
import { FilesService } from '../files/files.service.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import type { RelationshipEventDto } from './dto/relationship-event.dto.js';
import { EventFileLink } from './entities/event-file-link.entity.js';
import { HistoryEvent } from './entities/history-event.entity.js';
import { RelationshipEventAssembler } from './relationship-event.assembler.js';
import { FILES_UPLOADED_CATEGORY, FILES_UPLOADED_CONTENT } from './system-categories.js';

export interface NewHistoryEvent {
  record: LoadedRecord;
  categoryId: number;
  content: string;
  createdAt: Date;
  /** Distinct ids, in the order the event lists them. */
  fileIds: number[];
}

/** The event every attachment writes (attach, upload with attach, text file): category -2, now. */
export function filesUploadedEvent(record: LoadedRecord, fileIds: number[]): NewHistoryEvent {
  return { record, categoryId: FILES_UPLOADED_CATEGORY, content: FILES_UPLOADED_CONTENT, createdAt: new Date(), fileIds };
}

/** Writing history events with their file links. */
@Injectable()
export class HistoryEventsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
    private readonly transactions: Transactions,
    private readonly assembler: RelationshipEventAssembler,
  ) {}

  /**
   * Checks every file in one query, then writes the event and all its links in one
   * transaction (two INSERTs whatever the number of files), and answers the new event.
   */
  async record(caller: AuthenticatedUser, input: NewHistoryEvent): Promise<RelationshipEventDto> {
    await this.assertFilesReadable(caller, input.fileIds);
    let event: HistoryEvent;
    try {
      event = await this.transactions.run((manager) => this.insert(manager, caller, input));
    } catch (error) {
      // A file deleted between the check and the insert fails its foreign key: report it as missing.
      if (isForeignKeyViolation(error)) await this.assertFilesReadable(caller, input.fileIds);
      throw error;
    }
    const [response] = await this.assembler.assemble(caller, [event]);
    return response;
  }

  /**
   * File ids as a request sent them: at most MAX_FILE_IDS counted as sent, then repeats
   * count once, keeping the first-seen order. `field` names the body property in errors.
   */
  distinctFileIds(fileIds: number[], field: string): number[] {
    if (fileIds.length > this.config.maxFileIds) {
      throw new InvalidRequestError(`At most ${this.config.maxFileIds} file ids may be sent at once.`, [
        { field, message: `${field} must contain no more than ${this.config.maxFileIds} elements` },
      ]);
    }
    return [...new Set(fileIds)];
  }

  async assertFilesReadable(caller: AuthenticatedUser, fileIds: number[]): Promise<void> {
    if (fileIds.length === 0) return;
    const readable = await this.files.findReadableIds(caller, fileIds);
    const missing = fileIds.filter((id) => !readable.has(id));
    if (missing.length > 0) throw new FilesNotFoundError(missing);
  }

  /** The writes of one event, for callers that already hold a transaction (upload-and-attach). */
  async insert(manager: EntityManager, caller: AuthenticatedUser, input: NewHistoryEvent): Promise<HistoryEvent> {
    const { record } = input;
    const event = manager.getRepository(HistoryEvent).create({
      tenantId: caller.tenantId,
      categoryId: input.categoryId,
      content: input.content,
      contactId: record.type === 'contact' ? record.id : null,
      entityType: record.type === 'contact' ? null : record.type,
      entityId: record.type === 'contact' ? null : record.id,
      createdBy: caller.userId,
      createdAt: input.createdAt,
    });
    // insert() fills in the generated id from the driver's answer, without reading the row back.
    await manager.getRepository(HistoryEvent).insert(event);
    if (input.fileIds.length > 0) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(EventFileLink)
        .values(input.fileIds.map((fileId, position) => ({ eventId: event.id, fileId, tenantId: caller.tenantId, position })))
        .updateEntity(false)
        .execute();
    }
    return event;
  }
}
