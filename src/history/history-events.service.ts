import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { FilesNotFoundError, InvalidRequestError } from '../common/errors/api-error.js';
import { isForeignKeyViolation } from '../common/errors/database-errors.js';
import type { Page } from '../common/http/paging.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { forUpdate } from '../database/locking.js';
import { testExitPoint } from '../lifecycle/test-exit-point.js';
import {
  answerOf,
  INSERTED_ID,
  PendingInsertedId,
  statement,
  StatementBatches,
  type InsertedIdValue,
  type Statement,
} from '../database/statement-batches.js';
import { FilesService, type ReadableFiles } from '../files/files.service.js';
import type { Caller } from '../records/access/access-policy.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import { belongsToRecordSql, recordColumns, recordKey, recordOfColumns, type RecordRef } from '../records/record-ref.js';
import { RecordsService, type RecordSummary } from '../records/records.service.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { UsersService } from '../users/users.service.js';
import type { RelationshipEventDto } from './dto/relationship-event.dto.js';
import { EventFileLink } from './entities/event-file-link.entity.js';
import { HistoryEvent } from './entities/history-event.entity.js';
import { HistoryCategoriesService } from './history-categories.service.js';
import { toRelationshipEventDtos, userIdsNamed } from './relationship-event.mapper.js';
import { RECORD_FILES_PAGE_SQL, RECORD_FILES_TOTAL_SQL } from './record-files.sql.js';
import { FILES_UPLOADED_CATEGORY, FILES_UPLOADED_CONTENT, SYSTEM_CATEGORIES } from './system-categories.js';
import type { CrmFile } from '../files/entities/crm-file.entity.js';
import { filesAttached, historyCreated } from '../webhooks/outbox/webhook-event-payloads.js';
import { changeBy, WebhookOutbox } from '../webhooks/outbox/webhook-outbox.js';
import type { HistoryCategory } from './entities/history-category.entity.js';

const INSERT_EVENT_SQL = `INSERT INTO history_events (tenant_id, category_id, content, contact_id, entity_type, entity_id, created_by, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** Nothing to look up when an event links no files. */
const NO_FILES: ReadableFiles = { files: [], employees: new Map() };

export interface NewHistoryEvent {
  record: LoadedRecord;
  categoryId: number;
  content: string;
  createdAt: Date;
  /** Distinct ids, in the order the event lists them. */
  fileIds: number[];
}

/** The event every attachment writes (attach, upload with attach, text file): category -2, now. */
export function filesUploadedEvent(fileIds: number[]): Omit<NewHistoryEvent, 'record'> {
  return { categoryId: FILES_UPLOADED_CATEGORY, content: FILES_UPLOADED_CONTENT, createdAt: new Date(), fileIds };
}

/**
 * The `history_events` and `event_files` tables: writing events with their file links, the events
 * of a record, and `RelationshipEvent` responses. The only code that touches these tables.
 */
@Injectable()
export class HistoryEventsService {
  constructor(
    @InjectRepository(HistoryEvent) private readonly events: Repository<HistoryEvent>,
    @InjectRepository(EventFileLink) private readonly links: Repository<EventFileLink>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly batches: StatementBatches,
    private readonly files: FilesService,
    private readonly records: RecordsService,
    private readonly users: UsersService,
    private readonly categories: HistoryCategoriesService,
    private readonly outbox: WebhookOutbox,
  ) {}

  /** How many files one event may link (MAX_FILE_IDS): the one place this limit is read. */
  get maxFileIds(): number {
    return this.config.maxFileIds;
  }

  /**
   * File ids as a request sent them: at most MAX_FILE_IDS counted as sent, then repeats
   * count once, keeping the first-seen order. `field` names the body property in errors.
   */
  distinctFileIds(fileIds: number[], field: string): number[] {
    if (fileIds.length > this.maxFileIds) {
      throw new InvalidRequestError(`At most ${this.maxFileIds} file ids may be sent at once.`, [
        { field, message: `${field} must contain no more than ${this.maxFileIds} elements` },
      ]);
    }
    return [...new Set(fileIds)];
  }

  /**
   * A new event on a record (an attach, or POST /history), in a fixed number of statements and
   * round trips whatever the number of files. With the key lookup before it (the key ⋈ its user,
   * in the guard), an attach sends, in this order:
   *
   *   1. SELECT api_keys ⋈ users                              the caller, with its Employee
   *   2. SELECT the record ⋈ currency ⋈ access list ⋈ users   (404)           } one round trip
   *   3. SELECT files ⋈ users (creator, updater), readable    (404 with missingFileIds)
   *   4. START TRANSACTION                                                     } one round trip:
   *   5. INSERT history_events                                                 } 6 and 7 write
   *   6. INSERT event_files (every link in one statement)                      } the id 5
   *   7. INSERT webhook_events (its `files.attached`, or `history.created`)    } generates as
   *   8. COMMIT                                                                } LAST_INSERT_ID()
   *
   * On SQLite, in process, the same statements run one by one. POST /history also reads a tenant
   * category (one SELECT) when the event has one. The response is built from those rows and the
   * new event's id: no user is looked up on its own and nothing is read back after the commit.
   */
  async create(
    caller: AuthenticatedUser,
    target: RecordRef,
    input: Omit<NewHistoryEvent, 'record'>,
    publishAs: 'files.attached' | 'history.created',
  ): Promise<RelationshipEventDto> {
    // The record's 404 comes first: its statement is read first (docs/contract.md, "Check order").
    const recordStatement = this.records.readableSummaryStatement(caller, target);
    const [loaded, readable] =
      input.fileIds.length === 0
        ? [...(await this.batches.read([recordStatement])), NO_FILES]
        : await this.batches.read([recordStatement, this.files.readableByIdsStatement(caller, input.fileIds)]);
    const found = new Set(readable.files.map((file) => file.id));
    const missing = input.fileIds.filter((id) => !found.has(id));
    if (missing.length > 0) throw new FilesNotFoundError(missing);
    const tenantCategories = SYSTEM_CATEGORIES.has(input.categoryId) ? [] : await this.categories.findByIds([input.categoryId]);
    const employees = new Map([[caller.userId, caller.employee], ...loaded.employees, ...readable.employees]);
    const parts = { files: readable.files, employees, tenantCategories };
    const event = this.newEvent(caller, { ...input, record: loaded.record });
    // The links and the webhook event name the event's id, which the database generates in the
    // same round trip: the response is written with a stand-in, replaced there and here.
    const pendingId = new PendingInsertedId();
    event.id = pendingId.standIn;
    const response = this.responseOfNew(caller, event, input.fileIds, loaded, parts);
    const published = publishAs === 'files.attached' ? filesAttached(response, loaded.record) : historyCreated(response, loaded.record);
    try {
      const [eventId] = await this.batches.transaction([
        this.insertEventStatement(event),
        ...this.insertLinksStatements(event, input.fileIds, INSERTED_ID),
        this.outbox.statement(changeBy(caller), [published], pendingId),
      ]);
      event.id = eventId;
      response.ID = eventId;
      // A crash here, committed but unanswered: the event must still be delivered, by the next start.
      testExitPoint(this.config, 'after-attach-commit');
      return response;
    } catch (error) {
      // A file deleted between the check and the insert fails its foreign key: report it as missing.
      if (isForeignKeyViolation(error)) await this.assertFilesReadable(caller, input.fileIds);
      throw error;
    }
  }

  /**
   * The "Files are uploaded" event of files created in the caller's transaction (an upload with
   * attach=true, a text file), and its response; `employees` holds the caller and the users of
   * the record's access list.
   */
  async insertAttachment(
    manager: EntityManager,
    caller: AuthenticatedUser,
    loaded: { record: LoadedRecord; summary: RecordSummary },
    files: CrmFile[],
    employees: ReadonlyMap<string, EmployeeDto>,
  ): Promise<RelationshipEventDto> {
    const fileIds = files.map((file) => file.id);
    const event = await this.insert(manager, caller, { ...filesUploadedEvent(fileIds), record: loaded.record });
    return this.responseOfNew(caller, event, fileIds, loaded, { files, employees, tenantCategories: [] });
  }

  /** The response of an event just inserted, from what the request already loaded. */
  private responseOfNew(
    caller: AuthenticatedUser,
    event: HistoryEvent,
    fileIds: number[],
    loaded: { record: LoadedRecord; summary: RecordSummary },
    parts: { files: CrmFile[]; employees: ReadonlyMap<string, EmployeeDto>; tenantCategories: HistoryCategory[] },
  ): RelationshipEventDto {
    const [response] = toRelationshipEventDtos(caller, [event], {
      fileIdsByEvent: new Map([[event.id, fileIds]]),
      files: parts.files,
      tenantCategories: parts.tenantCategories,
      records: new Map([[recordKey(loaded.record), loaded.summary]]),
      employees: parts.employees,
      publicBaseUrl: this.config.publicBaseUrl,
    });
    return response;
  }

  /** 404 listing `missingFileIds` unless the caller may read every one of the files: one query. */
  async assertFilesReadable(caller: AuthenticatedUser, fileIds: number[]): Promise<void> {
    if (fileIds.length === 0) return;
    const readable = await this.files.findReadableIds(caller, fileIds);
    const missing = fileIds.filter((id) => !readable.has(id));
    if (missing.length > 0) throw new FilesNotFoundError(missing);
  }

  /**
   * The writes of one event, for callers that already hold a transaction (upload-and-attach):
   * the event, then all its links, with the statements `create` sends as a batch.
   */
  async insert(manager: EntityManager, caller: AuthenticatedUser, input: NewHistoryEvent): Promise<HistoryEvent> {
    const event = this.newEvent(caller, input);
    const insertEvent = this.insertEventStatement(event);
    event.id = insertEvent.read(answerOf(await manager.query(insertEvent.sql, [...insertEvent.values])));
    for (const insertLinks of this.insertLinksStatements(event, input.fileIds, event.id)) {
      await manager.query(insertLinks.sql, [...insertLinks.values]);
    }
    return event;
  }

  private newEvent(caller: AuthenticatedUser, input: NewHistoryEvent): HistoryEvent {
    return Object.assign(new HistoryEvent(), {
      tenantId: caller.tenantId,
      categoryId: input.categoryId,
      content: input.content,
      ...recordColumns(input.record),
      createdBy: caller.userId,
      createdAt: input.createdAt,
    });
  }

  /**
   * The event's INSERT, hand-written (the repository's insert cost more CPU than the statement);
   * it reads the id the database generated. `created_at` is written as TypeORM writes it on this
   * driver (a Date for MySQL, UTC text for SQLite), so rows read back the same.
   */
  private insertEventStatement(event: HistoryEvent): Statement<number> {
    const createdAt = this.events.metadata.findColumnWithPropertyName('createdAt');
    if (!createdAt) throw new Error('history_events has no created_at column.');
    return {
      sql: INSERT_EVENT_SQL,
      values: [
        event.tenantId,
        event.categoryId,
        event.content,
        event.contactId,
        event.entityType,
        event.entityId,
        event.createdBy,
        this.events.manager.connection.driver.preparePersistentValue(event.createdAt, createdAt),
      ],
      read: ({ insertId }) => {
        if (insertId === null) throw new Error("The database did not answer the new event's id.");
        return insertId;
      },
    };
  }

  /** All the event's links in one INSERT (none without files); each link names the event's record too. */
  private insertLinksStatements(event: HistoryEvent, fileIds: number[], eventId: number | InsertedIdValue): Statement<void>[] {
    if (fileIds.length === 0) return [];
    const { type, id } = recordOfColumns(event);
    return [
      statement(
        `INSERT INTO event_files (event_id, file_id, tenant_id, record_type, record_id, position) VALUES ${fileIds.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        fileIds.flatMap((fileId, position) => [eventId, fileId, event.tenantId, type, id, position]),
      ),
    ];
  }

  /** The tenant's events that belong to the record: the base of the file list and of the history filter. */
  eventsOfRecord(tenantId: number, record: RecordRef | null, alias = 'event'): SelectQueryBuilder<HistoryEvent> {
    const query = this.events.createQueryBuilder(alias).where(`${alias}.tenant_id = :tenantId`, { tenantId });
    if (record) {
      const belongs = belongsToRecordSql(alias, record);
      query.andWhere(belongs.sql, belongs.params);
    }
    return query;
  }

  /**
   * One page of the distinct files linked to any event of the record, newest link first (links
   * are ordered by their event's id), then by file id descending, with their total: two queries,
   * hand-written. Each link names its record, so the page walks the record's links newest first
   * in index order and keeps a link only when no newer link of the same file exists on the
   * record (one index probe): its cost follows the page, not the record's history. The plan is
   * in docs/performance.md. The record was checked to be in the caller's tenant, and record ids
   * are unique across tenants.
   */
  async linkedFileIds(record: RecordRef, page: Page): Promise<{ fileIds: number[]; total: number }> {
    const [totalRows, pageRows] = await Promise.all([
      this.links.query(RECORD_FILES_TOTAL_SQL[this.links.manager.connection.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql'], [
        record.type,
        record.id,
      ]) as Promise<{ total: number | string }[]>,
      this.links.query(RECORD_FILES_PAGE_SQL, [record.type, record.id, page.count, page.startIndex]) as Promise<
        { file_id: number | string }[]
      >,
    ]);
    return { fileIds: pageRows.map((row) => Number(row.file_id)), total: Number(totalRows[0]?.total ?? 0) };
  }

  /** The events of the given ids, in that order: one query. */
  async findByIds(ids: number[]): Promise<HistoryEvent[]> {
    if (ids.length === 0) return [];
    const byId = new Map((await this.events.findBy({ id: In(ids) })).map((event) => [event.id, event]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async findInTenant(tenantId: number, id: number): Promise<HistoryEvent | null> {
    return this.events.findOneBy({ id, tenantId });
  }

  /** The event, locked (on MySQL) until the caller's transaction ends. */
  async lock(manager: EntityManager, tenantId: number, eventId: number): Promise<HistoryEvent | null> {
    return forUpdate(
      manager.createQueryBuilder(HistoryEvent, 'event').where('event.id = :eventId AND event.tenant_id = :tenantId', { eventId, tenantId }),
    ).getOne();
  }

  /** The ids of the files the event links, in the caller's transaction. */
  async linkedFileIdsOf(manager: EntityManager, eventId: number): Promise<number[]> {
    return (await manager.getRepository(EventFileLink).find({ where: { eventId }, select: { fileId: true } })).map((link) => link.fileId);
  }

  /** All links of the given files, locked (on MySQL) until the caller's transaction ends. */
  async lockLinksOfFiles(manager: EntityManager, fileIds: number[]): Promise<EventFileLink[]> {
    return forUpdate(manager.createQueryBuilder(EventFileLink, 'link').where('link.file_id IN (:...fileIds)', { fileIds })).getMany();
  }

  /** Deletes the event (its links go with it by foreign key), in the caller's transaction. */
  async deleteEvent(manager: EntityManager, eventId: number): Promise<void> {
    await manager.getRepository(HistoryEvent).delete({ id: eventId });
  }

  /**
   * `RelationshipEvent` responses for any number of events in a fixed number of queries (links,
   * categories, the records' five, files, users), whatever the number of events, files or users.
   */
  async responses(caller: Caller, events: HistoryEvent[]): Promise<RelationshipEventDto[]> {
    if (events.length === 0) return [];
    const [links, tenantCategories, records] = await Promise.all([
      this.links.find({ where: { eventId: In(events.map((event) => event.id)) }, order: { eventId: 'ASC', position: 'ASC' } }),
      this.categories.findByIds(events.map((event) => event.categoryId)),
      this.records.summaries(caller, events.map(recordOfColumns)),
    ]);
    const fileIdsByEvent = new Map<number, number[]>();
    for (const link of links) fileIdsByEvent.set(link.eventId, [...(fileIdsByEvent.get(link.eventId) ?? []), link.fileId]);
    const files = await this.files.findByIds([...new Set(links.map((link) => link.fileId))]);
    const employees = await this.users.employeesByIds(userIdsNamed(events, files, records.values()));
    return toRelationshipEventDtos(caller, events, {
      fileIdsByEvent,
      files,
      tenantCategories,
      records,
      employees,
      publicBaseUrl: this.config.publicBaseUrl,
    });
  }
}
