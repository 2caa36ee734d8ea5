import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type SelectQueryBuilder } from 'typeorm';
import { canEditFile, eventPermissions, readableEventSql } from '../access/access-policy.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ForbiddenError, InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { forUpdate } from '../database/locking.js';
import { Transactions } from '../database/transactions.js';
import { CrmFile } from '../files/entities/crm-file.entity.js';
import { FilesService } from '../files/files.service.js';
import type { EntityRecordType } from '../records/entities/record-type.js';
import type { RecordRef } from '../records/record-ref.js';
import { RecordsService } from '../records/records.service.js';
import { toCategoryDto } from './category.mapper.js';
import type { CategoryDto } from './dto/category.dto.js';
import type { CreateHistoryEventDto } from './dto/create-history-event.dto.js';
import type { RelationshipEventDto } from './dto/relationship-event.dto.js';
import { EventFileLink } from './entities/event-file-link.entity.js';
import { HistoryCategory } from './entities/history-category.entity.js';
import { HistoryEvent } from './entities/history-event.entity.js';
import type { HistoryFilter, HistorySortKey } from './history-filter.js';
import { HistoryEventsService } from './history-events.service.js';
import { RelationshipEventAssembler } from './relationship-event.assembler.js';
import { SYSTEM_CATEGORIES } from './system-categories.js';

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

/** The History API (SPEC §4.3). */
@Injectable()
export class HistoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: RecordsService,
    private readonly files: FilesService,
    private readonly events: HistoryEventsService,
    private readonly assembler: RelationshipEventAssembler,
    private readonly transactions: Transactions,
  ) {}

  /**
   * The events the caller may read that match the filter, one page of them. Readability is
   * decided in SQL, so paging and the total are exact; the page costs a fixed number of
   * queries (count, page of ids, events, then the assembler's batches) whatever its size.
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
    const ids = pageRows.map((row) => Number(row.id));
    const rows = ids.length ? await this.dataSource.getRepository(HistoryEvent).findBy({ id: In(ids) }) : [];
    const byId = new Map(rows.map((event) => [event.id, event]));
    const ordered = ids.map((id) => byId.get(id)).filter((event): event is HistoryEvent => event !== undefined);
    return { items: await this.assembler.assemble(caller, ordered), total: Number(countRow?.total ?? 0) };
  }

  private filteredEvents(caller: AuthenticatedUser, filter: HistoryFilter): SelectQueryBuilder<HistoryEvent> {
    const readable = readableEventSql(caller, 'event');
    const query = this.dataSource
      .createQueryBuilder(HistoryEvent, 'event')
      .leftJoin('users', 'creator', 'creator.id = event.created_by')
      .leftJoin('history_categories', 'category', 'category.id = event.category_id')
      .where('event.tenant_id = :tenantId', { tenantId: caller.tenantId })
      .andWhere(readable.sql, readable.params);
    if (filter.record?.type === 'contact') query.andWhere('event.contact_id = :recordId', { recordId: filter.record.id });
    else if (filter.record) {
      query.andWhere('event.entity_type = :recordType AND event.entity_id = :recordId', { recordType: filter.record.type, recordId: filter.record.id });
    }
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
    await this.assertCategoryExists(caller, body.categoryId);
    const record = await this.records.findReadable(caller, target);
    return this.events.record(caller, { record, categoryId: body.categoryId, content: body.content, createdAt: created, fileIds });
  }

  /**
   * Deletes the event. Of its files, those that no other event links and that the caller may
   * edit are deleted with it, in the same transaction; the others are merely unlinked.
   */
  async delete(caller: AuthenticatedUser, eventId: number): Promise<RelationshipEventDto> {
    const event = await this.dataSource.getRepository(HistoryEvent).findOneBy({ id: eventId, tenantId: caller.tenantId });
    const record = event ? await this.records.permissionsFor(caller, recordOf(event)) : null;
    const permissions = event && record ? eventPermissions(caller, event, record) : null;
    if (!event || !permissions?.canRead) throw new NotFoundError(`There is no history event with id ${eventId}.`);
    if (!permissions.canEdit) throw new ForbiddenError('You may read this event but not delete it.');
    const [response] = await this.assembler.assemble(caller, [event]);

    const deletedFiles = await this.transactions.run(async (manager) => {
      // Locked first: of two concurrent deletes of one event, the second finds nothing (404).
      const locked = await forUpdate(
        manager.createQueryBuilder(HistoryEvent, 'event').where('event.id = :eventId AND event.tenant_id = :tenantId', {
          eventId,
          tenantId: caller.tenantId,
        }),
      ).getOne();
      if (!locked) throw new NotFoundError(`There is no history event with id ${eventId}.`);
      const linkedIds = (await manager.getRepository(EventFileLink).find({ where: { eventId }, select: { fileId: true } })).map(
        (link) => link.fileId,
      );
      let orphans: CrmFile[] = [];
      if (linkedIds.length > 0) {
        // Locking the files makes a concurrent attach of one of them wait (its foreign key
        // check needs the row) until we are done, and makes us see links it committed before.
        const files = await forUpdate(manager.createQueryBuilder(CrmFile, 'file').where('file.id IN (:...linkedIds)', { linkedIds })).getMany();
        const links = await forUpdate(
          manager.createQueryBuilder(EventFileLink, 'link').where('link.file_id IN (:...linkedIds)', { linkedIds }),
        ).getMany();
        const linkCount = (fileId: number) => links.filter((link) => link.fileId === fileId).length;
        orphans = files.filter((file) => linkCount(file.id) === 1 && canEditFile(caller, file));
      }
      await manager.getRepository(HistoryEvent).delete({ id: eventId });
      await this.files.deleteRows(manager, orphans);
      return orphans;
    });
    await this.files.removeContents(deletedFiles);
    return response;
  }

  async categories(caller: AuthenticatedUser): Promise<CategoryDto[]> {
    const categories = await this.dataSource
      .getRepository(HistoryCategory)
      .find({ where: { tenantId: caller.tenantId }, order: { sortOrder: 'ASC', id: 'ASC' } });
    return categories.map(toCategoryDto);
  }

  private targetOf(body: CreateHistoryEventDto): RecordRef {
    const hasContact = body.contactId !== undefined;
    const hasEntity = body.entityType !== undefined || body.entityId !== undefined;
    if (hasContact === hasEntity || (hasEntity && (body.entityType === undefined || body.entityId === undefined))) {
      throw new InvalidRequestError('Name the record with exactly one of contactId, or entityType together with entityId.', [
        { field: hasContact ? 'contactId' : 'entityType', message: 'give exactly one of contactId or entityType + entityId' },
      ]);
    }
    return hasContact ? { type: 'contact', id: body.contactId! } : { type: body.entityType!.toLowerCase() as EntityRecordType, id: body.entityId! };
  }

  private parseCreated(value: string): Date {
    const date = new Date(value);
    if (Number.isNaN(date.getTime()) || !isCalendarDateTime(value)) {
      throw new InvalidRequestError('created is not a valid date-time.', [{ field: 'created', message: 'created must be a valid date-time' }]);
    }
    // The range a MySQL DATETIME holds: outside it MySQL fails, and years before 100 read back wrong.
    if (date.getTime() < FIRST_CREATED || date.getTime() > LAST_CREATED) {
      throw new InvalidRequestError('created is out of range.', [
        { field: 'created', message: 'created must be from 1000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z' },
      ]);
    }
    return date;
  }

  private async assertCategoryExists(caller: AuthenticatedUser, categoryId: number): Promise<void> {
    if (SYSTEM_CATEGORIES.has(categoryId)) return;
    const exists = categoryId > 0 && (await this.dataSource.getRepository(HistoryCategory).existsBy({ id: categoryId, tenantId: caller.tenantId }));
    if (!exists) {
      throw new InvalidRequestError(`There is no history category ${categoryId}.`, [{ field: 'categoryId', message: 'unknown category' }]);
    }
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

function recordOf(event: HistoryEvent): RecordRef {
  return event.contactId !== null ? { type: 'contact', id: event.contactId } : { type: event.entityType!, id: event.entityId! };
}
