import type { CrmFile } from '../files/entities/crm-file.entity.js';
import { employeeOf, toFileDto } from '../files/file.mapper.js';
import { eventPermissions, type Caller } from '../records/access/access-policy.js';
import { recordKey, recordOfColumns } from '../records/record-ref.js';
import { toContactDto, toEntityDto } from '../records/record.mapper.js';
import type { RecordSummary } from '../records/records.service.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { toCategoryDto } from './category.mapper.js';
import type { CategoryDto } from './dto/category.dto.js';
import type { RelationshipEventDto } from './dto/relationship-event.dto.js';
import type { HistoryCategory } from './entities/history-category.entity.js';
import type { HistoryEvent } from './entities/history-event.entity.js';
import { systemCategoryDto } from './system-categories.js';

/** Everything the responses of some events name, loaded beforehand in batches. */
export interface RelationshipEventParts {
  /** File ids of each event, in the event's order. */
  fileIdsByEvent: ReadonlyMap<number, readonly number[]>;
  files: readonly CrmFile[];
  tenantCategories: readonly HistoryCategory[];
  /** By recordKey. */
  records: ReadonlyMap<string, RecordSummary>;
  employees: ReadonlyMap<string, EmployeeDto>;
  publicBaseUrl: string | null;
}

/** `RelationshipEvent` responses from loaded rows: pure, no database access. */
export function toRelationshipEventDtos(
  caller: Caller,
  events: readonly HistoryEvent[],
  parts: RelationshipEventParts,
): RelationshipEventDto[] {
  const categories = new Map(parts.tenantCategories.map((category) => [category.id, toCategoryDto(category)]));
  const files = new Map(parts.files.map((file) => [file.id, toFileDto(file, parts.employees, parts.publicBaseUrl)]));
  return events.map((event) => {
    const ref = recordOfColumns(event);
    const record = required(parts.records.get(recordKey(ref)), `${ref.type} ${ref.id}`);
    const contact = record.contact;
    return {
      ID: event.id,
      CreateBy: employeeOf(parts.employees, event.createdBy),
      Created: event.createdAt.toISOString(),
      Content: event.content,
      Category: categoryOf(event.categoryId, categories),
      Contact: contact
        ? toContactDto(
            contact.row,
            contact.currency,
            contact.accessList.map((userId) => employeeOf(parts.employees, userId)),
            record.permissions,
          )
        : null,
      Entity: record.entity ? toEntityDto(record.entity.type, record.entity.id, record.entity.title) : null,
      // A file deleted between reading the links and the files is simply gone.
      Files: (parts.fileIdsByEvent.get(event.id) ?? []).flatMap((fileId) => files.get(fileId) ?? []),
      CanEdit: eventPermissions(caller, event, record.permissions).canEdit,
    };
  });
}

/** The users a set of events' responses name: creators, file creators and updaters, contact access lists. */
export function userIdsNamed(
  events: readonly Pick<HistoryEvent, 'createdBy'>[],
  files: readonly CrmFile[],
  records: Iterable<RecordSummary>,
): Set<string> {
  const userIds = new Set<string>(events.map((event) => event.createdBy));
  for (const file of files) userIds.add(file.createdBy).add(file.updatedBy);
  for (const record of records) for (const userId of record.contact?.accessList ?? []) userIds.add(userId);
  return userIds;
}

function categoryOf(id: number, tenantCategories: Map<number, CategoryDto>): CategoryDto {
  return required(systemCategoryDto(id) ?? tenantCategories.get(id), `category ${id}`);
}

/** Rows an event refers to are kept by foreign keys or by the write path; a miss is a bug. */
function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Expected ${what} to be loaded.`);
  return value;
}
