import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ForbiddenError, InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import { Transactions } from '../database/transactions.js';
import type { CrmFile } from '../files/entities/crm-file.entity.js';
import { FilesService } from '../files/files.service.js';
import { canEditFile, eventPermissions, readableEventSql } from '../records/access/access-policy.js';
import type { EntityRecordType } from '../records/entities/record-type.js';
import { recordOfColumns, type RecordRef } from '../records/record-ref.js';
import { RecordsService } from '../records/records.service.js';
import type { CategoryDto } from './dto/category.dto.js';
import type { CreateHistoryEventDto } from './dto/create-history-event.dto.js';
import type { RelationshipEventDto } from './dto/relationship-event.dto.js';
import type { HistoryEvent } from './entities/history-event.entity.js';
import type { HistoryFilter, HistorySortKey } from './history-filter.js';
import { HistoryCategoriesService } from './history-categories.service.js';
import { HistoryEventsService } from './history-events.service.js';
import { SYSTEM_CATEGORIES } from './system-categories.js';
import { fileDeleted, historyDeleted } from '../webhooks/outbox/webhook-event-payloads.js';
import { changeBy, WebhookOutbox } from '../webhooks/outbox/webhook-outbox.js';

const FIRST_CREATED = Date.UTC(1000, 0, 1);
const LAST_CREATED = Date.UTC(10000, 0, 1) - 1;

/** The title a category sorts by: system categories are not stored, so their titles are spelled out. */
const CATEGORY_TITLE_SQL = `CASE event.category_id ${[...SYSTEM_CATEGORIES]
  .map(([id, title]) => `WHEN ${id} THEN '${title.replace(/'/g, "''")}'`)
  .join(' ')} ELSE category.title END`;

/**
 * The ORDER BY expression of each sort key. Text sorts on LOWER(...): SQLite compares bytes
 * (Apple, Banana, apple) and MySQL/MariaDB by a case-insensitive collation, so lowering both
 * sides makes the order the same on both databases (case-insensitive for ASCII letters).
 */
const SORT_EXPRESSIONS: Record<HistorySortKey, string> = {
  created: 'event.created_at',
  createBy: 'LOWER(creator.display_name)',
  category: `LOWER(${CATEGORY_TITLE_SQL})`,
  content: 'LOWER(event.content)',
  id: 'event.id',
};

/** The History API: filter, create, delete, categories. */
@Injectable()
export class HistoryService {
  constructor(
    private readonly records: RecordsService,
    private readonly files: FilesService,
    private readonly events: HistoryEventsService,
    private readonly categoryRows: HistoryCategoriesService,
    private readonly transactions: Transactions,
    private readonly outbox: WebhookOutbox,
  ) {}

  /**
   * The events the caller may read that match the filter, one page of them. Readability is
   * decided in SQL, so paging and the total are exact; the page costs a fixed number of
   * queries (count, page of ids, events, then the responses' batches) whatever its size.
   */
  async filter(caller: AuthenticatedUser, filter: HistoryFilter): Promise<{ items: RelationshipEventDto[]; total: number }> {
    if (filter.record) await this.records.findReadable(caller, filter.record);
    const base = () => this.filteredEvents(caller, filter);
    const page = base()
      .select('event.id', 'id')
      .orderBy(SORT_EXPRESSIONS[filter.sortBy], filter.descending ? 'DESC' : 'ASC')
      .offset(filter.page.startIndex)
      .limit(filter.page.count);
    // Ties: id descending. Not when sorting by id itself: TypeORM keys ORDER BY by expression,
    // so a second 'event.id' would replace the first and turn ascending into descending.
    if (filter.sortBy !== 'id') page.addOrderBy('event.id', 'DESC');
    const [countRow, pageRows] = await Promise.all([
      base().select('COUNT(*)', 'total').getRawOne<{ total: number | string }>(),
      page.getRawMany<{ id: number | string }>(),
    ]);
    const events = await this.events.findByIds(pageRows.map((row) => Number(row.id)));
    return { items: await this.events.responses(caller, events), total: Number(countRow?.total ?? 0) };
  }

  private filteredEvents(caller: AuthenticatedUser, filter: HistoryFilter): SelectQueryBuilder<HistoryEvent> {
    const readable = readableEventSql(caller, 'event');
    // Joined by table name, only to sort by the creator's name or the category's title in SQL.
    const query = this.events
      .eventsOfRecord(caller.tenantId, filter.record)
      .leftJoin('users', 'creator', 'creator.id = event.created_by')
      .leftJoin('history_categories', 'category', 'category.id = event.category_id')
      .andWhere(readable.sql, readable.params);
    if (filter.categoryId !== null) query.andWhere('event.category_id = :categoryId', { categoryId: filter.categoryId });
    if (filter.createBy !== null) query.andWhere('event.created_by = :createBy', { createBy: filter.createBy });
    if (filter.from) query.andWhere('event.created_at >= :from', { from: filter.from });
    if (filter.until) query.andWhere('event.created_at < :until', { until: filter.until });
    return query;
  }

  /** POST /history: the form, then the category, then the record (404) and the files (404). */
  async create(caller: AuthenticatedUser, body: CreateHistoryEventDto): Promise<RelationshipEventDto> {
    const target = this.targetOf(body);
    const fileIds = this.events.distinctFileIds(body.fileId ?? [], 'fileId');
    const created = body.created === undefined ? new Date() : this.parseCreated(body.created);
    await this.categoryRows.assertExists(caller.tenantId, body.categoryId);
    return this.events.create(
      caller,
      target,
      { categoryId: body.categoryId, content: body.content, createdAt: created, fileIds },
      'history.created',
    );
  }

  /**
   * Deletes the event. Of its files, those that no other event links and that the caller may
   * edit are deleted with it, in the same transaction; the others are merely unlinked.
   */
  async delete(caller: AuthenticatedUser, eventId: number): Promise<RelationshipEventDto> {
    const event = await this.events.findInTenant(caller.tenantId, eventId);
    const record = event ? await this.records.permissionsFor(caller, recordOfColumns(event)) : null;
    const permissions = event && record ? eventPermissions(caller, event, record) : null;
    if (!event || !permissions?.canRead) throw new NotFoundError(`There is no history event with id ${eventId}.`);
    if (!permissions.canEdit) throw new ForbiddenError('You may read this event but not delete it.');
    const [response] = await this.events.responses(caller, [event]);
    const eventRecord = recordOfColumns(event);

    const deletedFiles = await this.transactions.run(async (manager) => {
      // Locked first: of two concurrent deletes of one event, the second finds nothing (404).
      const locked = await this.events.lock(manager, caller.tenantId, eventId);
      if (!locked) throw new NotFoundError(`There is no history event with id ${eventId}.`);
      const linkedIds = await this.events.linkedFileIdsOf(manager, eventId);
      let orphans: CrmFile[] = [];
      if (linkedIds.length > 0) {
        // Locking the files makes a concurrent attach of one of them wait (its foreign key
        // check needs the row) until we are done, and makes us see links it committed before.
        const files = await this.files.lockByIds(manager, linkedIds);
        const links = await this.events.lockLinksOfFiles(manager, linkedIds);
        const linkCount = (fileId: number) => links.filter((link) => link.fileId === fileId).length;
        orphans = files.filter((file) => linkCount(file.id) === 1 && canEditFile(caller, file));
      }
      await this.events.deleteEvent(manager, eventId);
      await this.files.deleteRows(manager, orphans);
      // An event's links never change, so every file it took is in its answer already.
      const taken = response.Files.filter((file) => orphans.some((orphan) => orphan.id === file.ID));
      await this.outbox.publish(manager, changeBy(caller), [
        historyDeleted(
          response,
          eventRecord,
          taken.map((file) => file.ID),
        ),
        ...taken.map((file) => fileDeleted(file, eventRecord)),
      ]);
      return orphans;
    });
    await this.files.removeContents(deletedFiles);
    return response;
  }

  async categories(caller: AuthenticatedUser): Promise<CategoryDto[]> {
    return this.categoryRows.list(caller.tenantId);
  }

  private targetOf(body: CreateHistoryEventDto): RecordRef {
    const hasContact = body.contactId !== undefined;
    const hasEntity = body.entityType !== undefined || body.entityId !== undefined;
    if (hasContact === hasEntity || (hasEntity && (body.entityType === undefined || body.entityId === undefined))) {
      throw new InvalidRequestError('Name the record with exactly one of contactId, or entityType together with entityId.', [
        { field: hasContact ? 'contactId' : 'entityType', message: 'give exactly one of contactId or entityType + entityId' },
      ]);
    }
    return hasContact
      ? { type: 'contact', id: body.contactId! }
      : { type: body.entityType!.toLowerCase() as EntityRecordType, id: body.entityId! };
  }

  private parseCreated(value: string): Date {
    const date = new Date(value);
    if (Number.isNaN(date.getTime()) || !isCalendarDateTime(value)) {
      throw new InvalidRequestError('created is not a valid date-time.', [
        { field: 'created', message: 'created must be a valid date-time' },
      ]);
    }
    // The range a MySQL DATETIME holds: outside it MySQL fails, and years before 100 read back wrong.
    if (date.getTime() < FIRST_CREATED || date.getTime() > LAST_CREATED) {
      throw new InvalidRequestError('created is out of range.', [
        { field: 'created', message: 'created must be from 1000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z' },
      ]);
    }
    return date;
  }
}

/**
 * Whether the date and hour as written exist: JavaScript's Date rolls 2026-02-30 over to
 * March 2 and 24:00 over to the next day instead of refusing them.
 */
function isCalendarDateTime(value: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})/.exec(value);
  if (!match) return false;
  const day = new Date(`${match[1]}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === match[1] && Number(match[2]) <= 23;
}
