import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { DataSource, In } from 'typeorm';
import { canEditFile } from '../access/access-policy.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ForbiddenError, InvalidRequestError, NotFoundError, PayloadTooLargeError } from '../common/errors/api-error.js';
import type { Page } from '../common/http/paging.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Transactions } from '../database/transactions.js';
import type { FileDto } from '../files/dto/file.dto.js';
import { testExitPoint } from '../lifecycle/test-exit-point.js';
import { CrmFile } from '../files/entities/crm-file.entity.js';
import { cleanFileName, MAX_NAME_LENGTH } from '../files/file-name.js';
import { FilesService } from '../files/files.service.js';
import type { RelationshipEventDto } from '../history/dto/relationship-event.dto.js';
import { EventFileLink } from '../history/entities/event-file-link.entity.js';
import { HistoryEvent } from '../history/entities/history-event.entity.js';
import { filesUploadedEvent, HistoryEventsService } from '../history/history-events.service.js';
import type { RecordRef } from '../records/record-ref.js';
import { RecordsService } from '../records/records.service.js';
import type { AttachFilesDto } from './dto/attach-files.dto.js';
import type { CreateTextFileDto } from './dto/create-text-file.dto.js';
import { FileUploadService } from './file-upload.service.js';

/** An HTML tag such as <p>, <br/> or <b class="x">: what makes a text file .html. */
const HTML_TAG = /<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/i;

/** The Files API of CRM records (SPEC §4.1 and §4.2). */
@Injectable()
export class CrmFilesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: RecordsService,
    private readonly files: FilesService,
    private readonly history: HistoryEventsService,
    private readonly uploads: FileUploadService,
    private readonly transactions: Transactions,
  ) {}

  /** SPEC §4.1: one "Files are uploaded" event linking the files, or nothing at all. */
  async attach(caller: AuthenticatedUser, target: RecordRef, body: AttachFilesDto): Promise<RelationshipEventDto> {
    const fileIds = this.history.distinctFileIds(body.fileids, 'fileids');
    this.assertBodyNamesTarget(target, body);
    const record = await this.records.findReadable(caller, target);
    return this.history.record(caller, filesUploadedEvent(record, fileIds));
  }

  /**
   * The distinct files linked to any event of the record, newest link first (links are ordered
   * by their event's id), then by file id descending. Three queries whatever the page size.
   */
  async listForRecord(caller: AuthenticatedUser, target: RecordRef, page: Page): Promise<{ items: FileDto[]; total: number }> {
    await this.records.findReadable(caller, target);
    const linksOfRecord = () => {
      const query = this.dataSource
        .createQueryBuilder(EventFileLink, 'link')
        .innerJoin(HistoryEvent, 'event', 'event.id = link.event_id')
        .where('event.tenant_id = :tenantId', { tenantId: caller.tenantId });
      return target.type === 'contact'
        ? query.andWhere('event.contact_id = :id', { id: target.id })
        : query.andWhere('event.entity_type = :type AND event.entity_id = :id', { type: target.type, id: target.id });
    };
    const [totalRow, pageRows] = await Promise.all([
      linksOfRecord().select('COUNT(DISTINCT link.file_id)', 'total').getRawOne<{ total: number | string }>(),
      linksOfRecord()
        .select('link.file_id', 'fileId')
        .addSelect('MAX(link.event_id)', 'newestLink')
        .groupBy('link.file_id')
        .orderBy('MAX(link.event_id)', 'DESC')
        .addOrderBy('link.file_id', 'DESC')
        .offset(page.startIndex)
        .limit(page.count)
        .getRawMany<{ fileId: number }>(),
    ]);
    const ids = pageRows.map((row) => Number(row.fileId));
    const rows = ids.length ? await this.dataSource.getRepository(CrmFile).findBy({ id: In(ids) }) : [];
    const byId = new Map(rows.map((file) => [file.id, file]));
    const ordered = ids.map((id) => byId.get(id)).filter((file): file is CrmFile => file !== undefined);
    return { items: await this.files.toDtos(ordered), total: Number(totalRow?.total ?? 0) };
  }

  /**
   * SPEC §4.2 upload: the record is checked before a single byte is stored. What the headers
   * alone show wrong (a raw body's name, size or type) answers first, as SPEC §4 orders it.
   */
  async upload(caller: AuthenticatedUser, target: RecordRef, request: FastifyRequest, attach: boolean): Promise<FileDto> {
    this.uploads.checkHeaders(request);
    const record = await this.records.findReadable(caller, target);
    return this.uploads.upload(caller, record, request, attach);
  }

  /** A text file made from a title and content, attached to the record in the same transaction. */
  async createText(caller: AuthenticatedUser, target: RecordRef, body: CreateTextFileDto): Promise<FileDto> {
    const title = cleanFileName(body.title);
    if (title === '') throw new InvalidRequestError('The title is empty once cleaned.', [{ field: 'title', message: 'title must not be empty' }]);
    const content = Buffer.from(body.content, 'utf8');
    if (content.length > this.config.maxUploadBytes) {
      throw new PayloadTooLargeError(`A file may be at most ${this.config.maxUploadBytes} bytes (MAX_UPLOAD_BYTES); nothing was kept.`);
    }
    const isHtml = HTML_TAG.test(body.content);
    const extension = isHtml ? '.html' : '.txt';
    // The title is cut (by characters, never splitting one) so that the extension still fits.
    const name = title.toLowerCase().endsWith(extension)
      ? title
      : `${[...title].slice(0, MAX_NAME_LENGTH - extension.length).join('').trimEnd()}${extension}`;
    const record = await this.records.findReadable(caller, target);
    const { file } = await this.files.create(
      caller,
      // The charset makes browsers show the UTF-8 content right.
      { name, contentType: isHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', content: Readable.from([content]) },
      this.config.maxUploadBytes,
      async (manager, created) => {
        await this.history.insert(manager, caller, filesUploadedEvent(record, created.map((row) => row.id)));
      },
    );
    const [response] = await this.files.toDtos([file]);
    return response;
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
    const file = await this.findForDownload(caller, fileId);
    if (!canEditFile(caller, file)) throw new ForbiddenError('Only the file\'s creator, its last updater or an admin may delete it.');
    const [response] = await this.files.toDtos([file]);
    const deleted = await this.transactions.run((manager) => this.files.deleteRows(manager, [file]));
    // Of two concurrent deletes, only the one that removed the row answers 200.
    if (deleted === 0) throw new NotFoundError(`There is no file with id ${fileId}.`);
    testExitPoint(this.config, 'after-row-delete');
    await this.files.removeContents([file]);
    return response;
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
