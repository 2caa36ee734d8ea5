import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import type { Page } from '../common/http/paging.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { FileDto } from '../files/dto/file.dto.js';
import type { CrmFile } from '../files/entities/crm-file.entity.js';
import { toFileDto } from '../files/file.mapper.js';
import { FileIntakeService } from '../files/file-intake.service.js';
import { FilesService, type NewFile } from '../files/files.service.js';
import { textFile } from '../files/text-file.js';
import type { RelationshipEventDto } from '../history/dto/relationship-event.dto.js';
import { filesUploadedEvent, HistoryEventsService } from '../history/history-events.service.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import type { RecordRef } from '../records/record-ref.js';
import type { RecordSummary } from '../records/records.service.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { filesAttached, fileUploaded } from '../webhooks/outbox/webhook-event-payloads.js';
import { changeBy, WebhookOutbox } from '../webhooks/outbox/webhook-outbox.js';
import { RecordsService } from '../records/records.service.js';
import type { AttachFilesDto } from './dto/attach-files.dto.js';
import type { CreateTextFileDto } from './dto/create-text-file.dto.js';

/**
 * The Files API of CRM records, one method a route, each a straight line: the request's form,
 * then the record (RecordsService: exists and readable, else 404), then files / history, then
 * the response. The checks come in the order docs/contract.md gives ("Check order").
 */
@Injectable()
export class CrmFilesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: RecordsService,
    private readonly files: FilesService,
    private readonly intake: FileIntakeService,
    private readonly history: HistoryEventsService,
    private readonly outbox: WebhookOutbox,
  ) {}

  /** One "Files are uploaded" event linking the files, or nothing at all (404 with `missingFileIds`). */
  async attach(caller: AuthenticatedUser, target: RecordRef, body: AttachFilesDto): Promise<RelationshipEventDto> {
    const fileIds = this.history.distinctFileIds(body.fileids, 'fileids');
    assertBodyNamesTarget(target, body);
    return this.history.create(caller, target, filesUploadedEvent(fileIds), 'files.attached');
  }

  /**
   * The distinct files linked to any event of the record, newest link first, then by file id
   * descending. A fixed number of queries whatever the page size.
   */
  async listForRecord(caller: AuthenticatedUser, target: RecordRef, page: Page): Promise<{ items: FileDto[]; total: number }> {
    await this.records.findReadable(caller, target);
    const { fileIds, total } = await this.history.linkedFileIds(target, page);
    return { items: await this.files.toDtos(await this.files.findByIds(fileIds)), total };
  }

  /**
   * Upload into the root folder, optionally attached. What the headers alone show wrong (a raw
   * body's name, size or type) answers first; then the record, before a single byte is stored.
   */
  async upload(caller: AuthenticatedUser, target: RecordRef, request: FastifyRequest, attach: boolean): Promise<FileDto> {
    const form = this.intake.readForm(request);
    const loaded = await this.records.findReadableSummary(caller, target);
    const received = await this.intake.receive(caller, request, form, attach ? this.history.maxFileIds : null);
    const files = await this.commit(caller, received, loaded, attach);
    return files[files.length - 1];
  }

  /** A text file made from a title and content, attached to the record in the same transaction. */
  async createText(caller: AuthenticatedUser, target: RecordRef, body: CreateTextFileDto): Promise<FileDto> {
    const file = textFile(body.title, body.content, this.config.maxUploadBytes);
    const loaded = await this.records.findReadableSummary(caller, target);
    const staged = await this.files.stage(caller, file.content, this.config.maxUploadBytes);
    const [created] = await this.commit(caller, [{ name: file.name, contentType: file.contentType, content: staged }], loaded, true);
    return created;
  }

  async rootFolderId(caller: AuthenticatedUser): Promise<number> {
    return this.files.rootFolderId(caller.tenantId);
  }

  /** The file for a download; a missing and an unreadable file answer the same 404. */
  async findForDownload(caller: AuthenticatedUser, fileId: number): Promise<CrmFile> {
    const file = await this.files.findReadable(caller, fileId);
    if (!file) throw new NotFoundError(`There is no file with id ${fileId}.`);
    return file;
  }

  /** Deletes the file, its links and its content; the events it was linked to stay. */
  async delete(caller: AuthenticatedUser, fileId: number): Promise<FileDto> {
    return this.files.delete(caller, fileId);
  }

  /**
   * The rows of staged files, their `file.uploaded` events and, when `attach`, the event linking
   * them to the record with its `files.attached`: one transaction. Answers the files' responses.
   */
  private async commit(
    caller: AuthenticatedUser,
    received: NewFile[],
    loaded: { record: LoadedRecord; summary: RecordSummary; employees: ReadonlyMap<string, EmployeeDto> },
    attach: boolean,
  ): Promise<FileDto[]> {
    // Every user the responses and events name: the caller (creator of the files) and, for the
    // event, the users of the record's access list, loaded with the record.
    const employees = new Map([[caller.userId, caller.employee], ...loaded.employees]);
    const { result } = await this.files.commit(caller, received, async (manager, created) => {
      const responses = created.map((file) => toFileDto(file, employees, this.config.publicBaseUrl));
      const events = responses.map((file) => fileUploaded(file, attach ? loaded.record : null));
      if (attach) {
        const event = await this.history.insertAttachment(manager, caller, loaded, created, employees);
        events.push(filesAttached(event, loaded.record));
      }
      await this.outbox.publish(manager, changeBy(caller), events);
      return responses;
    });
    return result!;
  }
}

/** The body may name the record again; it must then be the path's (any letter case for the type). */
function assertBodyNamesTarget(target: RecordRef, body: AttachFilesDto): void {
  const errors = [];
  if (body.entityType !== undefined && body.entityType.toLowerCase() !== target.type) {
    errors.push({ field: 'entityType', message: `entityType must equal the path's entity type (${target.type})` });
  }
  if (body.entityid !== undefined && body.entityid !== target.id) {
    errors.push({ field: 'entityid', message: `entityid must equal the path's entity id (${target.id})` });
  }
  if (errors.length > 0) throw new InvalidRequestError('The body names another record than the path.', errors);
}
