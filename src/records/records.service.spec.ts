import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../common/errors/api-error.js';
import type { AccessListEntry } from './entities/access-list-entry.entity.js';
import type { Contact } from './entities/contact.entity.js';
import type { EntityRecord } from './entities/entity-record.js';
import type { RecordType } from './entities/record-type.js';
import { ShareType } from './entities/share-type.js';
import { RecordsService } from './records.service.js';

/**
 * The access rules as RecordsService applies them to stored rows (docs/contract.md, "Access
 * rules"), over in-memory repositories: which rows it asks for decides who may read what.
 */

const CREATOR = 'c0000000-0000-4000-8000-00000000000c';
const LISTED = 'a1111111-1111-4111-8111-11111111111a';
const OTHER = 'b2222222-2222-4222-8222-22222222222b';
const TENANT = 1;
const user = (userId: string) => ({ userId, tenantId: TENANT, isAdmin: false });
const admin = { userId: OTHER, tenantId: TENANT, isAdmin: true };

type Where = Record<string, unknown>;
const matches = (row: object, where: Where) => Object.entries(where).every(([key, value]) => (row as Record<string, unknown>)[key] === value);

/** Enough of a TypeORM repository for findOne/find with plain equality conditions. */
function repository<T extends object>(rows: T[]) {
  return {
    findOne: async ({ where }: { where: Where }) => rows.find((row) => matches(row, where)) ?? null,
    find: async ({ where }: { where: Where }) => rows.filter((row) => matches(row, where)),
  };
}

function service(data: { contacts?: Partial<Contact>[]; opportunities?: Partial<EntityRecord>[]; cases?: Partial<EntityRecord>[]; access?: AccessListEntry[] }) {
  return new RecordsService(
    repository(data.contacts ?? []) as never,
    repository(data.opportunities ?? []) as never,
    repository(data.cases ?? []) as never,
    repository(data.access ?? []) as never,
    repository([]) as never,
    {} as never,
    {} as never,
  );
}

const entry = (recordType: RecordType, recordId: number, userId: string): AccessListEntry => ({ recordType, recordId, userId, tenantId: TENANT });

describe('RecordsService access (service level)', () => {
  describe('a private opportunity (or case): an access list that is not empty', () => {
    const records = service({
      opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
      cases: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
      access: [entry('opportunity', 5, LISTED), entry('case', 5, LISTED)],
    });

    it.each(['opportunity', 'case'] as const)('%s: its creator who is not listed may edit it but not read it, so it is not found', async (type) => {
      expect(await records.permissionsFor(user(CREATOR), { type, id: 5 })).toEqual({ canRead: false, canEdit: true });
      await expect(records.findReadable(user(CREATOR), { type, id: 5 })).rejects.toThrow(NotFoundError);
    });

    it.each(['opportunity', 'case'] as const)('%s: a listed user reads and edits it', async (type) => {
      expect(await records.findReadable(user(LISTED), { type, id: 5 })).toEqual({ type, id: 5, tenantId: TENANT, permissions: { canRead: true, canEdit: true } });
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
      const records = service({ opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }] });
      expect(await records.permissionsFor(user(OTHER), { type: 'opportunity', id: 5 })).toEqual({ canRead: true, canEdit: true });
    });
  });

  describe('contacts', () => {
    it('being listed on opportunity N does not open private contact N', async () => {
      const records = service({
        contacts: [{ id: 5, tenantId: TENANT, shareType: ShareType.None }],
        opportunities: [{ id: 5, tenantId: TENANT, createdBy: CREATOR }],
        access: [entry('opportunity', 5, LISTED)],
      });
      expect(await records.permissionsFor(user(LISTED), { type: 'contact', id: 5 })).toEqual({ canRead: false, canEdit: false });
      await expect(records.findReadable(user(LISTED), { type: 'contact', id: 5 })).rejects.toThrow(NotFoundError);
    });

    it('being listed on private contact N does not open private opportunity N', async () => {
      const records = service({
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
      const records = service({ contacts: [{ id: 9, tenantId: TENANT, shareType }] });
      expect(await records.permissionsFor(user(OTHER), { type: 'contact', id: 9 })).toEqual(permissions);
    });

    it('a contact of another tenant has no permissions at all (null), whatever its ShareType', async () => {
      const records = service({ contacts: [{ id: 9, tenantId: TENANT + 1, shareType: ShareType.ReadWrite }] });
      expect(await records.permissionsFor(user(OTHER), { type: 'contact', id: 9 })).toBeNull();
    });
  });
});
