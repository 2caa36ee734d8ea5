import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In } from 'typeorm';
import { contactPermissions, entityPermissions, eventPermissions, type Caller, type RecordPermissions } from '../access/access-policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CrmFile } from '../files/entities/crm-file.entity.js';
import { toFileDto } from '../files/file.mapper.js';
import { AccessListEntry } from '../records/entities/access-list-entry.entity.js';
import { Contact } from '../records/entities/contact.entity.js';
import { CrmCase } from '../records/entities/crm-case.entity.js';
import { Currency } from '../records/entities/currency.entity.js';
import { Opportunity } from '../records/entities/opportunity.entity.js';
import type { RecordType } from '../records/entities/record-type.js';
import { toContactDto, toEntityDto } from '../records/record.mapper.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { toEmployeeDto } from '../users/employee.mapper.js';
import { User } from '../users/entities/user.entity.js';
import { toCategoryDto } from './category.mapper.js';
import type { CategoryDto } from './dto/category.dto.js';
import type { RelationshipEventDto } from './dto/relationship-event.dto.js';
import { EventFileLink } from './entities/event-file-link.entity.js';
import { HistoryCategory } from './entities/history-category.entity.js';
import type { HistoryEvent } from './entities/history-event.entity.js';
import { systemCategoryDto } from './system-categories.js';

/**
 * Builds `RelationshipEvent` responses for any number of events in a fixed number of queries
 * (links, files, categories, contacts, currencies, access lists, opportunities, cases, users),
 * whatever the number of events, files or users involved.
 */
@Injectable()
export class RelationshipEventAssembler {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async assemble(caller: Caller, events: HistoryEvent[]): Promise<RelationshipEventDto[]> {
    if (events.length === 0) return [];
    const ids = (values: Iterable<number | null>) => [...new Set([...values].filter((value): value is number => value !== null))];
    const eventIds = events.map((event) => event.id);
    const contactIds = ids(events.map((event) => event.contactId));
    const opportunityIds = ids(events.map((event) => (event.entityType === 'opportunity' ? event.entityId : null)));
    const caseIds = ids(events.map((event) => (event.entityType === 'case' ? event.entityId : null)));
    const categoryIds = ids(events.map((event) => (event.categoryId > 0 ? event.categoryId : null)));

    const [links, categories, contacts, opportunities, cases, accessEntries] = await Promise.all([
      this.dataSource.getRepository(EventFileLink).find({ where: { eventId: In(eventIds) }, order: { eventId: 'ASC', position: 'ASC' } }),
      categoryIds.length ? this.dataSource.getRepository(HistoryCategory).findBy({ id: In(categoryIds) }) : [],
      contactIds.length ? this.dataSource.getRepository(Contact).findBy({ id: In(contactIds) }) : [],
      opportunityIds.length ? this.dataSource.getRepository(Opportunity).findBy({ id: In(opportunityIds) }) : [],
      caseIds.length ? this.dataSource.getRepository(CrmCase).findBy({ id: In(caseIds) }) : [],
      this.accessEntries({ contact: contactIds, opportunity: opportunityIds, case: caseIds }),
    ]);
    const fileIds = ids(links.map((link) => link.fileId));
    const currencyCodes = [...new Set(contacts.map((contact) => contact.currencyAbbreviation).filter((code) => code !== null))];
    const [files, currencies] = await Promise.all([
      fileIds.length ? this.dataSource.getRepository(CrmFile).findBy({ id: In(fileIds) }) : [],
      currencyCodes.length ? this.dataSource.getRepository(Currency).findBy({ abbreviation: In(currencyCodes) }) : [],
    ]);

    const userIds = new Set<string>(events.map((event) => event.createdBy));
    for (const file of files) userIds.add(file.createdBy).add(file.updatedBy);
    for (const entry of accessEntries) if (entry.recordType === 'contact') userIds.add(entry.userId);
    const users = await this.dataSource.getRepository(User).findBy({ id: In([...userIds]) });

    const employees = new Map<string, EmployeeDto>(users.map((user) => [user.id, toEmployeeDto(user)]));
    const accessLists = groupBy(accessEntries, (entry) => `${entry.recordType}:${entry.recordId}`, (entry) => entry.userId);
    const accessListOf = (type: RecordType, id: number) => accessLists.get(`${type}:${id}`) ?? [];
    const categoriesById = new Map(categories.map((category) => [category.id, toCategoryDto(category)]));
    const contactsById = new Map(contacts.map((contact) => [contact.id, contact]));
    const entitiesByKey = new Map<string, Opportunity | CrmCase>([
      ...opportunities.map((record) => [`opportunity:${record.id}`, record] as const),
      ...cases.map((record) => [`case:${record.id}`, record] as const),
    ]);
    const currenciesByCode = new Map(currencies.map((currency) => [currency.abbreviation, currency]));
    const filesById = new Map(files.map((file) => [file.id, toFileDto(file, employees, this.config.publicBaseUrl)]));
    const fileIdsByEvent = groupBy(links, (link) => link.eventId, (link) => link.fileId);

    return events.map((event) => {
      let record: RecordPermissions;
      let contact: RelationshipEventDto['Contact'] = null;
      let entity: RelationshipEventDto['Entity'] = null;
      if (event.contactId !== null) {
        const row = required(contactsById.get(event.contactId), `contact ${event.contactId}`);
        const accessList = accessListOf('contact', row.id);
        record = contactPermissions(caller, { shareType: row.shareType, accessList });
        const currency = row.currencyAbbreviation === null ? null : (currenciesByCode.get(row.currencyAbbreviation) ?? null);
        contact = toContactDto(row, currency, accessList.map((userId) => required(employees.get(userId), `user ${userId}`)), record);
      } else {
        const type = required(event.entityType, `the record of event ${event.id}`);
        const row = required(entitiesByKey.get(`${type}:${event.entityId}`), `${type} ${event.entityId}`);
        record = entityPermissions(caller, { createdBy: row.createdBy, accessList: accessListOf(type, row.id) });
        entity = toEntityDto(type, row.id, row.title);
      }
      return {
        ID: event.id,
        CreateBy: required(employees.get(event.createdBy), `user ${event.createdBy}`),
        Created: event.createdAt.toISOString(),
        Content: event.content,
        Category: this.category(event.categoryId, categoriesById),
        Contact: contact,
        Entity: entity,
        // A file deleted between reading the links and the files is simply gone.
        Files: (fileIdsByEvent.get(event.id) ?? []).flatMap((fileId) => filesById.get(fileId) ?? []),
        CanEdit: eventPermissions(caller, event, record).canEdit,
      };
    });
  }

  private category(id: number, tenantCategories: Map<number, CategoryDto>): CategoryDto {
    return required(systemCategoryDto(id) ?? tenantCategories.get(id), `category ${id}`);
  }

  private async accessEntries(idsByType: Record<RecordType, number[]>): Promise<AccessListEntry[]> {
    const wanted = Object.entries(idsByType).filter(([, ids]) => ids.length > 0);
    if (wanted.length === 0) return [];
    return this.dataSource
      .getRepository(AccessListEntry)
      .createQueryBuilder('entry')
      .where(
        new Brackets((query) => {
          for (const [type, ids] of wanted) {
            query.orWhere(`(entry.record_type = :type_${type} AND entry.record_id IN (:...ids_${type}))`, {
              [`type_${type}`]: type,
              [`ids_${type}`]: ids,
            });
          }
        }),
      )
      .getMany();
  }
}

function groupBy<T, K, V>(items: T[], key: (item: T) => K, value: (item: T) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(value(item));
    else groups.set(key(item), [value(item)]);
  }
  return groups;
}

/** Rows an event refers to are kept by foreign keys or by the write path; a miss is a bug. */
function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Expected ${what} to be loaded.`);
  return value;
}
