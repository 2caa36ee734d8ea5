import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, In, type EntityManager, type Repository } from 'typeorm';
import { NotFoundError } from '../common/errors/api-error.js';
import { StatementBatches, type Statement } from '../database/statement-batches.js';
import { Transactions } from '../database/transactions.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { employeeColumnsSql, employeeFromRow } from '../users/employee.sql.js';
import { UsersService } from '../users/users.service.js';
import { contactPermissions, entityPermissions, type Caller, type RecordPermissions } from './access/access-policy.js';
import { AccessListEntry } from './entities/access-list-entry.entity.js';
import { Contact } from './entities/contact.entity.js';
import { CrmCase } from './entities/crm-case.entity.js';
import { Currency } from './entities/currency.entity.js';
import type { EntityRecord } from './entities/entity-record.js';
import { Opportunity } from './entities/opportunity.entity.js';
import type { EntityRecordType, RecordType } from './entities/record-type.js';
import { ShareType } from './entities/share-type.js';
import type { LoadedRecord } from './loaded-record.js';
import { recordKey, type RecordRef } from './record-ref.js';

export class RecordInputError extends Error {}

export interface NewContact {
  tenantId: number;
  person?: { firstName: string; lastName: string };
  company?: { name: string };
  shareType: ShareType;
  accessList: string[];
  currency: string | null;
}

export interface NewEntityRecord {
  tenantId: number;
  title: string;
  createdBy: string;
  accessList: string[];
}

const ENTITY_CLASSES = { opportunity: Opportunity, case: CrmCase } as const;

/** A record the caller may read, as findReadableSummary answers it. */
export interface ReadableRecord {
  record: LoadedRecord;
  summary: RecordSummary;
  /** The users of a contact's access list. */
  employees: Map<string, EmployeeDto>;
}

/** A record as an event response shows it, with what the caller may do to it. */
export interface RecordSummary {
  permissions: RecordPermissions;
  /** For a contact: the row, its currency and the user ids of its access list. */
  contact: { row: Contact; currency: Currency | null; accessList: string[] } | null;
  /** For an opportunity or case. */
  entity: { type: EntityRecordType; id: number; title: string } | null;
}

/**
 * Contacts, opportunities, cases, their access lists and the currencies: the only code that
 * touches these tables. Loads one record with the caller's rights, many for responses, and
 * creates them.
 */
@Injectable()
export class RecordsService {
  constructor(
    @InjectRepository(Contact) private readonly contacts: Repository<Contact>,
    @InjectRepository(Opportunity) private readonly opportunities: Repository<Opportunity>,
    @InjectRepository(CrmCase) private readonly cases: Repository<CrmCase>,
    @InjectRepository(AccessListEntry) private readonly accessEntries: Repository<AccessListEntry>,
    @InjectRepository(Currency) private readonly currencies: Repository<Currency>,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly batches: StatementBatches,
  ) {}

  /**
   * The record in the caller's tenant, if the caller may read it. A record of another tenant,
   * a missing one and an unreadable one all answer the same 404.
   */
  async findReadable(caller: Caller & { tenantId: number }, ref: RecordRef): Promise<LoadedRecord> {
    return (await this.findReadableSummary(caller, ref)).record;
  }

  /**
   * As findReadable, with the record as an event response shows it (the row, its currency, its
   * access list) and the `Employee` of each user on a contact's access list: one query, so that
   * a write can answer without reading the record or those users again.
   */
  async findReadableSummary(caller: Caller & { tenantId: number }, ref: RecordRef): Promise<ReadableRecord> {
    const [readable] = await this.batches.read([this.readableSummaryStatement(caller, ref)]);
    return readable;
  }

  /**
   * findReadableSummary as a statement, to send in one round trip with others: the record of the
   * caller's tenant with its access list (and, for a contact, its currency and the access list's
   * users), a row per access list entry (at least one, by the LEFT JOINs). Reading its answer
   * throws the 404 when the record is missing or unreadable, so in a batch that lists it first
   * that 404 comes before anything the later statements would answer.
   */
  readableSummaryStatement(caller: Caller & { tenantId: number }, ref: RecordRef): Statement<ReadableRecord> {
    const [sql, values] =
      ref.type === 'contact'
        ? [CONTACT_SUMMARY_SQL, [ref.id, caller.tenantId]]
        : [ENTITY_SUMMARY_SQL[ref.type], [ref.type, ref.id, caller.tenantId]];
    return {
      sql,
      values,
      read: ({ rows }) => {
        const loaded = summaryOfRows(caller, ref, rows);
        if (!loaded?.summary.permissions.canRead) throw new NotFoundError(`There is no ${ref.type} with id ${ref.id}.`);
        return { record: { ...ref, tenantId: caller.tenantId, permissions: loaded.summary.permissions }, ...loaded };
      },
    };
  }

  /** What the caller may do to the record, or null when it is not in the caller's tenant. */
  async permissionsFor(caller: Caller & { tenantId: number }, ref: RecordRef): Promise<RecordPermissions | null> {
    const accessListOf = async () =>
      (await this.accessEntries.find({ where: { recordType: ref.type, recordId: ref.id }, select: { userId: true } })).map(
        (entry) => entry.userId,
      );
    if (ref.type === 'contact') {
      const contact = await this.contacts.findOne({
        where: { id: ref.id, tenantId: caller.tenantId },
        select: { id: true, shareType: true },
      });
      if (!contact) return null;
      return contactPermissions(caller, { shareType: contact.shareType, accessList: caller.isAdmin ? [] : await accessListOf() });
    }
    const entity = await this.entityRepository(ref.type).findOne({
      where: { id: ref.id, tenantId: caller.tenantId },
      select: { id: true, createdBy: true },
    });
    if (!entity) return null;
    return entityPermissions(caller, { createdBy: entity.createdBy, accessList: caller.isAdmin ? [] : await accessListOf() });
  }

  /**
   * The records of events, for their responses: five queries whatever their number (contacts,
   * opportunities, cases, access lists, then currencies). Keyed by recordKey.
   */
  async summaries(caller: Caller, refs: RecordRef[]): Promise<Map<string, RecordSummary>> {
    const idsOf = (type: RecordType) => [...new Set(refs.filter((ref) => ref.type === type).map((ref) => ref.id))];
    const contactIds = idsOf('contact');
    const opportunityIds = idsOf('opportunity');
    const caseIds = idsOf('case');
    const [contacts, opportunities, cases, accessEntries] = await Promise.all([
      contactIds.length ? this.contacts.findBy({ id: In(contactIds) }) : [],
      opportunityIds.length ? this.opportunities.findBy({ id: In(opportunityIds) }) : [],
      caseIds.length ? this.cases.findBy({ id: In(caseIds) }) : [],
      this.accessEntriesOf({ contact: contactIds, opportunity: opportunityIds, case: caseIds }),
    ]);
    const currencyCodes = [...new Set(contacts.map((contact) => contact.currencyAbbreviation).filter((code) => code !== null))];
    const currencies = currencyCodes.length ? await this.currencies.findBy({ abbreviation: In(currencyCodes) }) : [];
    const currenciesByCode = new Map(currencies.map((currency) => [currency.abbreviation, currency]));

    const accessLists = new Map<string, string[]>();
    for (const entry of accessEntries) {
      const key = recordKey({ type: entry.recordType, id: entry.recordId });
      accessLists.set(key, [...(accessLists.get(key) ?? []), entry.userId]);
    }
    const accessListOf = (ref: RecordRef) => accessLists.get(recordKey(ref)) ?? [];
    const summaries = new Map<string, RecordSummary>();
    for (const row of contacts) {
      const ref: RecordRef = { type: 'contact', id: row.id };
      const accessList = accessListOf(ref);
      const currency = row.currencyAbbreviation === null ? null : (currenciesByCode.get(row.currencyAbbreviation) ?? null);
      summaries.set(recordKey(ref), {
        permissions: contactPermissions(caller, { shareType: row.shareType, accessList }),
        contact: { row, currency, accessList },
        entity: null,
      });
    }
    const entities: [EntityRecordType, EntityRecord[]][] = [
      ['opportunity', opportunities],
      ['case', cases],
    ];
    for (const [type, rows] of entities) {
      for (const row of rows) {
        const ref: RecordRef = { type, id: row.id };
        summaries.set(recordKey(ref), {
          permissions: entityPermissions(caller, { createdBy: row.createdBy, accessList: accessListOf(ref) }),
          contact: null,
          entity: { type, id: row.id, title: row.title },
        });
      }
    }
    return summaries;
  }

  async createContact(input: NewContact): Promise<number> {
    return this.transactions.run(async (manager) => {
      await this.assertUsersInTenant(manager, input.tenantId, input.accessList);
      if (input.currency !== null && !(await manager.getRepository(Currency).existsBy({ abbreviation: input.currency }))) {
        throw new RecordInputError(`Unknown currency ${input.currency}.`);
      }
      const contact = await manager.getRepository(Contact).save({
        tenantId: input.tenantId,
        isCompany: input.company !== undefined,
        firstName: input.person?.firstName ?? null,
        lastName: input.person?.lastName ?? null,
        companyName: input.company?.name ?? null,
        shareType: input.shareType,
        currencyAbbreviation: input.currency,
        createdAt: new Date(),
      });
      await this.saveAccessList(manager, input.tenantId, 'contact', contact.id, input.accessList);
      return contact.id;
    });
  }

  async createEntity(type: EntityRecordType, input: NewEntityRecord): Promise<number> {
    return this.transactions.run(async (manager) => {
      await this.assertUsersInTenant(manager, input.tenantId, [input.createdBy, ...input.accessList]);
      const record = await manager
        .getRepository<EntityRecord>(ENTITY_CLASSES[type])
        .save({ tenantId: input.tenantId, title: input.title, createdBy: input.createdBy, createdAt: new Date() });
      await this.saveAccessList(manager, input.tenantId, type, record.id, input.accessList);
      return record.id;
    });
  }

  private async assertUsersInTenant(manager: EntityManager, tenantId: number, userIds: string[]): Promise<void> {
    const missing = await this.users.missingInTenant(manager, tenantId, userIds);
    if (missing.length > 0) throw new RecordInputError(`No user ${missing.join(', ')} in tenant ${tenantId}.`);
  }

  private entityRepository(type: EntityRecordType): Repository<EntityRecord> {
    return type === 'opportunity' ? this.opportunities : this.cases;
  }

  /** The access list entries of many records of several types: one query. */
  private async accessEntriesOf(idsByType: Record<RecordType, number[]>): Promise<AccessListEntry[]> {
    const wanted = Object.entries(idsByType).filter(([, ids]) => ids.length > 0);
    if (wanted.length === 0) return [];
    return this.accessEntries
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

  private async saveAccessList(manager: EntityManager, tenantId: number, recordType: RecordType, recordId: number, userIds: string[]) {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return;
    await manager.getRepository(AccessListEntry).insert(unique.map((userId) => ({ tenantId, recordType, recordId, userId })));
  }
}

// ---- The one-query load of a record (findReadableSummary): hand-written, on the hot path of every record route.

const ACCESS_JOIN = (type: string, id: string) => `LEFT JOIN access_list_entries a ON a.record_type = ${type} AND a.record_id = ${id}`;

const CONTACT_SUMMARY_SQL = `SELECT c.id, c.tenant_id, c.is_company, c.first_name, c.last_name, c.company_name, c.share_type, c.currency, c.created_at,
    cur.title AS cur_title, cur.symbol AS cur_symbol, cur.culture_name AS cur_culture_name, cur.is_convertable AS cur_is_convertable,
    cur.is_basic AS cur_is_basic, a.user_id AS access_user_id, ${employeeColumnsSql('au', 'au_')}
  FROM contacts c LEFT JOIN currencies cur ON cur.abbreviation = c.currency ${ACCESS_JOIN(`'contact'`, 'c.id')}
    LEFT JOIN users au ON au.id = a.user_id
  WHERE c.id = ? AND c.tenant_id = ? ORDER BY a.user_id`;

const ENTITY_SUMMARY_SQL: Record<EntityRecordType, string> = {
  opportunity: entitySummarySql('opportunities'),
  case: entitySummarySql('cases'),
};

function entitySummarySql(table: string): string {
  return `SELECT r.id, r.title, r.created_by, a.user_id AS access_user_id FROM ${table} r ${ACCESS_JOIN('?', 'r.id')}
  WHERE r.id = ? AND r.tenant_id = ? ORDER BY a.user_id`;
}

type Raw = string | number | boolean | Date | null;

interface ContactRow extends Record<string, unknown> {
  id: Raw;
  tenant_id: Raw;
  is_company: Raw;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  share_type: Raw;
  currency: string | null;
  created_at: Raw;
  cur_title: string | null;
  cur_symbol: string | null;
  cur_culture_name: string | null;
  cur_is_convertable: Raw;
  cur_is_basic: Raw;
  access_user_id: string | null;
}

interface EntityRow {
  id: Raw;
  title: string;
  created_by: string;
  access_user_id: string | null;
}

/** The summary of a record from the rows of its summary query, or null when there are none. */
function summaryOfRows(
  caller: Caller,
  ref: RecordRef,
  rows: Record<string, unknown>[],
): { summary: RecordSummary; employees: Map<string, EmployeeDto> } | null {
  if (rows.length === 0) return null;
  if (ref.type === 'contact') {
    const contactRows = rows as unknown as ContactRow[];
    const accessList = accessUserIds(contactRows);
    const row = contactFromRow(contactRows[0]);
    const employees = new Map<string, EmployeeDto>();
    for (const entry of contactRows) {
      const employee = employeeFromRow(entry, 'au_');
      if (employee) employees.set(employee.Id, employee);
    }
    return {
      summary: {
        permissions: contactPermissions(caller, { shareType: row.shareType, accessList }),
        contact: { row, currency: currencyFromRow(contactRows[0]), accessList },
        entity: null,
      },
      employees,
    };
  }
  const entityRows = rows as unknown as EntityRow[];
  return {
    summary: {
      permissions: entityPermissions(caller, { createdBy: entityRows[0].created_by, accessList: accessUserIds(entityRows) }),
      contact: null,
      entity: { type: ref.type, id: Number(entityRows[0].id), title: entityRows[0].title },
    },
    // An opportunity's or case's access list is not shown in responses: no users to name.
    employees: new Map(),
  };
}

/** The user ids of the access list, in user id order (the LEFT JOIN gives one null row for an empty list). */
function accessUserIds(rows: { access_user_id: string | null }[]): string[] {
  return rows.flatMap((row) => (row.access_user_id === null ? [] : [row.access_user_id]));
}

/** MySQL answers booleans as 0/1 (or '0'/'1'), SQLite as 0/1. */
const bool = (value: Raw) => value === true || Number(value) === 1;

/** MySQL answers DATETIME as a Date; SQLite as the UTC text TypeORM wrote. */
function dateOf(value: Raw): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

function contactFromRow(row: ContactRow): Contact {
  return Object.assign(new Contact(), {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    isCompany: bool(row.is_company),
    firstName: row.first_name,
    lastName: row.last_name,
    companyName: row.company_name,
    shareType: Number(row.share_type) as ShareType,
    currencyAbbreviation: row.currency,
    createdAt: dateOf(row.created_at),
  });
}

function currencyFromRow(row: ContactRow): Currency | null {
  if (row.currency === null || row.cur_title === null) return null;
  return Object.assign(new Currency(), {
    abbreviation: row.currency,
    title: row.cur_title,
    symbol: row.cur_symbol ?? '',
    cultureName: row.cur_culture_name ?? '',
    isConvertable: bool(row.cur_is_convertable),
    isBasic: bool(row.cur_is_basic),
  });
}
