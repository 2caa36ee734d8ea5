import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { contactPermissions, entityPermissions, type Caller, type RecordPermissions } from '../access/access-policy.js';
import { NotFoundError } from '../common/errors/api-error.js';
import { Transactions } from '../database/transactions.js';
import { AccessListEntry } from './entities/access-list-entry.entity.js';
import { Contact } from './entities/contact.entity.js';
import { CrmCase } from './entities/crm-case.entity.js';
import { Currency } from './entities/currency.entity.js';
import { Opportunity } from './entities/opportunity.entity.js';
import type { EntityRecordType, RecordType } from './entities/record-type.js';
import { ShareType } from './entities/share-type.js';
import type { LoadedRecord } from './loaded-record.js';
import type { RecordRef } from './record-ref.js';
import { User } from '../users/entities/user.entity.js';

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

/** Contacts, opportunities and cases: loading one with the caller's rights, and creating them. */
@Injectable()
export class RecordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /**
   * The record in the caller's tenant, if the caller may read it. A record of another tenant,
   * a missing one and an unreadable one all answer the same 404.
   */
  async findReadable(caller: Caller & { tenantId: number }, ref: RecordRef): Promise<LoadedRecord> {
    const permissions = await this.permissionsFor(caller, ref);
    if (!permissions?.canRead) throw new NotFoundError(`There is no ${ref.type} with id ${ref.id}.`);
    return { ...ref, tenantId: caller.tenantId, permissions };
  }

  /** What the caller may do to the record, or null when it is not in the caller's tenant. */
  async permissionsFor(caller: Caller & { tenantId: number }, ref: RecordRef): Promise<RecordPermissions | null> {
    const accessListOf = async () =>
      (await this.dataSource.getRepository(AccessListEntry).find({ where: { recordType: ref.type, recordId: ref.id }, select: { userId: true } })).map(
        (entry) => entry.userId,
      );
    if (ref.type === 'contact') {
      const contact = await this.dataSource
        .getRepository(Contact)
        .findOne({ where: { id: ref.id, tenantId: caller.tenantId }, select: { id: true, shareType: true } });
      if (!contact) return null;
      return contactPermissions(caller, { shareType: contact.shareType, accessList: caller.isAdmin ? [] : await accessListOf() });
    }
    const entity = await this.dataSource
      .getRepository<Opportunity | CrmCase>(ENTITY_CLASSES[ref.type])
      .findOne({ where: { id: ref.id, tenantId: caller.tenantId }, select: { id: true, createdBy: true } });
    if (!entity) return null;
    return entityPermissions(caller, { createdBy: entity.createdBy, accessList: caller.isAdmin ? [] : await accessListOf() });
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
        .getRepository<Opportunity | CrmCase>(ENTITY_CLASSES[type])
        .save({ tenantId: input.tenantId, title: input.title, createdBy: input.createdBy, createdAt: new Date() });
      await this.saveAccessList(manager, input.tenantId, type, record.id, input.accessList);
      return record.id;
    });
  }

  private async assertUsersInTenant(manager: EntityManager, tenantId: number, userIds: string[]): Promise<void> {
    const wanted = [...new Set(userIds)];
    if (wanted.length === 0) return;
    const found = await manager.getRepository(User).find({ where: { id: In(wanted), tenantId }, select: { id: true } });
    const missing = wanted.filter((id) => !found.some((user) => user.id === id));
    if (missing.length > 0) throw new RecordInputError(`No user ${missing.join(', ')} in tenant ${tenantId}.`);
  }

  private async saveAccessList(manager: EntityManager, tenantId: number, recordType: RecordType, recordId: number, userIds: string[]) {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return;
    await manager.getRepository(AccessListEntry).insert(unique.map((userId) => ({ tenantId, recordType, recordId, userId })));
  }
}
