import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../common/errors/api-error.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { StatementBatches } from '../database/statement-batches.js';
import { Transactions } from '../database/transactions.js';
import { AccessListEntry } from './entities/access-list-entry.entity.js';
import { Contact } from './entities/contact.entity.js';
import { CrmCase } from './entities/crm-case.entity.js';
import { Currency } from './entities/currency.entity.js';
import type { EntityRecord } from './entities/entity-record.js';
import { Opportunity } from './entities/opportunity.entity.js';
import type { RecordType } from './entities/record-type.js';
import { ShareType } from './entities/share-type.js';
import { RecordsService } from './records.service.js';

/**
 * The access rules as RecordsService applies them to stored rows (docs/contract.md, "Access
 * rules"), over a database holding the rows: which rows it asks for decides who may read what.
 */

const CREATOR = 'c0000000-0000-4000-8000-00000000000c';
const LISTED = 'a1111111-1111-4111-8111-11111111111a';
const OTHER = 'b2222222-2222-4222-8222-22222222222b';
const TENANT = 1;
const user = (userId: string) => ({ userId, tenantId: TENANT, isAdmin: false });
const admin = { userId: OTHER, tenantId: TENANT, isAdmin: true };

type Rows = {
  contacts?: Partial<Contact>[];
  opportunities?: Partial<EntityRecord>[];
  cases?: Partial<EntityRecord>[];
  access?: AccessListEntry[];
};

/**
 * The service over a real (in-memory SQLite) database holding the given rows, with the
 * project's migrations: its hand-written SQL is what decides who may read what.
 */
async function service(data: Rows): Promise<RecordsService> {
  const db = new DataSource(dataSourceOptions({ kind: 'sqlite', path: ':memory:' }));
  await db.initialize();
  await db.runMigrations();
  const at = '2026-01-01 00:00:00.000';
  for (const tenant of [TENANT, TENANT + 1])
    await db.query('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)', [tenant, `t${tenant}`, at]);
  for (const userId of [CREATOR, LISTED, OTHER]) {
    await db.query('INSERT INTO users (id, tenant_id, display_name, is_admin) VALUES (?, ?, ?, 0)', [userId, TENANT, userId]);
  }
  for (const contact of data.contacts ?? []) {
    await db.query('INSERT INTO contacts (id, tenant_id, is_company, share_type, created_at) VALUES (?, ?, 0, ?, ?)', [
      contact.id,
      contact.tenantId,
      contact.shareType,
      at,
    ]);
  }
  for (const [table, rows] of [
    ['opportunities', data.opportunities],
    ['cases', data.cases],
  ] as const) {
    for (const row of rows ?? []) {
      await db.query(`INSERT INTO ${table} (id, tenant_id, title, created_by, created_at) VALUES (?, ?, 'r', ?, ?)`, [
        row.id,
        row.tenantId,
        row.createdBy,
        at,
      ]);
    }
  }
  for (const entry of data.access ?? []) {
    await db.query('INSERT INTO access_list_entries (record_type, record_id, user_id, tenant_id) VALUES (?, ?, ?, ?)', [
      entry.recordType,
      entry.recordId,
      entry.userId,
      entry.tenantId,
    ]);
  }
  databases.push(db);
  return new RecordsService(
    db.getRepository(Contact),
    db.getRepository(Opportunity),
    db.getRepository(CrmCase),
    db.getRepository(AccessListEntry),
    db.getRepository(Currency),
    {} as never,
    {} as never,
    new StatementBatches(db, new Transactions(db)),
  );
}

const databases: DataSource[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.destroy()));
});

const entry = (recordType: RecordType, recordId: number, userId: string): AccessListEntry => ({
  recordType,
  recordId,
  userId,
  tenantId: TENANT,
});

describe('RecordsService access (service level)', () => {
  describe('a private opportunity (or case): an access list that is not empty', () => {
    let records: RecordsService;
    beforeAll(async () => {
      records = await service({
        opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
        cases: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
        access: [entry('opportunity', 5, LISTED), entry('case', 5, LISTED)],
      });
    });

    it.each(['opportunity', 'case'] as const)(
      '%s: its creator who is not listed may edit it but not read it, so it is not found',
      async (type) => {
        expect(await records.permissionsFor(user(CREATOR), { type, id: 5 })).toEqual({ canRead: false, canEdit: true });
        await expect(records.findReadable(user(CREATOR), { type, id: 5 })).rejects.toThrow(NotFoundError);
      },
    );

    it.each(['opportunity', 'case'] as const)('%s: a listed user reads and edits it', async (type) => {
      expect(await records.findReadable(user(LISTED), { type, id: 5 })).toEqual({
        type,
        id: 5,
        tenantId: TENANT,
        permissions: { canRead: true, canEdit: true },
      });
    });

    it.each(['opportunity', 'case'] as const)('%s: anyone else gets the same 404 as for a missing record', async (type) => {
      const unreadable = await records.findReadable(user(OTHER), { type, id: 5 }).catch((error: unknown) => error);
      const missing = await records.findReadable(user(OTHER), { type, id: 6 }).catch((error: unknown) => error);
      expect(unreadable).toBeInstanceOf(NotFoundError);
      expect((unreadable as NotFoundError).detail).toBe(`There is no ${type} with id 5.`);
      expect((missing as NotFoundError).detail).toBe(`There is no ${type} with id 6.`);
    });

    it('an admin of the tenant reads and edits it', async () => {
      expect((await records.findReadable(admin, { type: 'opportunity', id: 5 })).permissions).toEqual({ canRead: true, canEdit: true });
    });

    it('an admin of another tenant does not find it', async () => {
      await expect(records.findReadable({ ...admin, tenantId: TENANT + 1 }, { type: 'opportunity', id: 5 })).rejects.toThrow(NotFoundError);
    });
  });

  describe('an open opportunity: an empty access list', () => {
    it('every user of the tenant reads and edits it', async () => {
      const records = await service({ opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }] });
      expect(await records.permissionsFor(user(OTHER), { type: 'opportunity', id: 5 })).toEqual({ canRead: true, canEdit: true });
    });
  });

  describe('contacts', () => {
    it('being listed on opportunity N does not open private contact N', async () => {
      const records = await service({
        contacts: [{ id: 5, tenantId: TENANT, shareType: ShareType.None }],
        opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
        access: [entry('opportunity', 5, LISTED)],
      });
      expect(await records.permissionsFor(user(LISTED), { type: 'contact', id: 5 })).toEqual({ canRead: false, canEdit: false });
      await expect(records.findReadable(user(LISTED), { type: 'contact', id: 5 })).rejects.toThrow(NotFoundError);
    });

    it('being listed on private contact N does not open private opportunity N', async () => {
      const records = await service({
        contacts: [{ id: 5, tenantId: TENANT, shareType: ShareType.None }],
        opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
        access: [entry('contact', 5, LISTED), entry('opportunity', 5, OTHER)],
      });
      expect((await records.findReadable(user(LISTED), { type: 'contact', id: 5 })).permissions).toEqual({ canRead: true, canEdit: true });
      await expect(records.findReadable(user(LISTED), { type: 'opportunity', id: 5 })).rejects.toThrow(NotFoundError);
    });

    it.each([
      [ShareType.None, { canRead: false, canEdit: false }],
      [ShareType.Read, { canRead: true, canEdit: false }],
      [ShareType.ReadWrite, { canRead: true, canEdit: true }],
    ])('ShareType %i gives a user who is not listed %o', async (shareType, permissions) => {
      const records = await service({ contacts: [{ id: 9, tenantId: TENANT, shareType }] });
      expect(await records.permissionsFor(user(OTHER), { type: 'contact', id: 9 })).toEqual(permissions);
    });

    it('a contact of another tenant has no permissions at all (null), whatever its ShareType', async () => {
      const records = await service({ contacts: [{ id: 9, tenantId: TENANT + 1, shareType: ShareType.ReadWrite }] });
      expect(await records.permissionsFor(user(OTHER), { type: 'contact', id: 9 })).toBeNull();
    });
  });
});
