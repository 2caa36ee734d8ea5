import { In } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { CrmFile } from '../../src/files/entities/crm-file.entity.js';
import { EventFileLink } from '../../src/history/entities/event-file-link.entity.js';
import { Contact } from '../../src/records/entities/contact.entity.js';
import { CrmCase } from '../../src/records/entities/crm-case.entity.js';
import { Opportunity } from '../../src/records/entities/opportunity.entity.js';
import { FILE_STORAGE, storageKeyForFile, type FileStorage } from '../../src/storage/file-storage.js';
import { Tenant } from '../../src/tenants/entities/tenant.entity.js';
import { User } from '../../src/users/entities/user.entity.js';
import { API_KEY, UUID, useCli } from '../support/cli-harness.js';

/** The admin CLI run in-process: the demo data set. */
describe('admin CLI: seed --demo', () => {
  const { config, context, db, ok, fails, accessListOf } = useCli({ migrated: true });

  describe('seed --demo', () => {
    interface DemoUsers {
      admin: { id: string; apiKey: string };
      member: { id: string; apiKey: string };
      outsider: { id: string; apiKey: string };
    }
    interface DemoTenant {
      id: number;
      name: string;
      rootFolderId: number;
      users: DemoUsers;
      contacts: { person: number; company: number; readOnlyCompany: number; privatePerson: number };
      opportunities: { public: number; private: number };
      cases: { public: number; private: number };
      files: { admin: number[]; member: number[]; outsider: number[] };
    }
    let seeded: { tenants: DemoTenant[] };

    beforeAll(async () => {
      seeded = await ok<{ tenants: DemoTenant[] }>(['seed', '--demo']);
    });

    it('prints two tenants in exactly the documented shape', () => {
      expect(Object.keys(seeded)).toEqual(['tenants']);
      expect(seeded.tenants).toHaveLength(2);
      const id = expect.any(Number);
      const user = { id: expect.stringMatching(UUID), apiKey: expect.stringMatching(API_KEY) };
      for (const tenant of seeded.tenants) {
        expect(tenant).toStrictEqual({
          id,
          name: expect.any(String),
          rootFolderId: id,
          users: { admin: user, member: user, outsider: user },
          contacts: { person: id, company: id, readOnlyCompany: id, privatePerson: id },
          opportunities: { public: id, private: id },
          cases: { public: id, private: id },
          files: { admin: [id], member: [id, id, id], outsider: [id] },
        });
      }
    });

    it('creates two distinct tenants that share no user, key, record or file', () => {
      const [a, b] = seeded.tenants;
      expect(a.id).not.toBe(b.id);
      const both = <T>(pick: (tenant: DemoTenant) => T[]) => [...pick(a), ...pick(b)];
      // Integer ids are unique across tenants , so each kind has no repeats at all.
      expect(new Set(both((tenant) => Object.values(tenant.users).map((user) => user.id))).size).toBe(6);
      expect(new Set(both((tenant) => Object.values(tenant.users).map((user) => user.apiKey))).size).toBe(6);
      expect(new Set(both((tenant) => Object.values(tenant.contacts))).size).toBe(8);
      expect(new Set(both((tenant) => Object.values(tenant.opportunities))).size).toBe(4);
      expect(new Set(both((tenant) => Object.values(tenant.cases))).size).toBe(4);
      expect(new Set(both((tenant) => Object.values(tenant.files).flat())).size).toBe(10);
    });

    it('creates the admin, member and outsider in each tenant; only the admin is an admin', async () => {
      for (const tenant of seeded.tenants) {
        const users = await db.getRepository(User).findBy({ id: In(Object.values(tenant.users).map((user) => user.id)) });
        expect(users).toHaveLength(3);
        expect(users.every((user) => user.tenantId === tenant.id)).toBe(true);
        const isAdmin = Object.fromEntries(users.map((user) => [user.id, user.isAdmin]));
        expect(isAdmin).toEqual({ [tenant.users.admin.id]: true, [tenant.users.member.id]: false, [tenant.users.outsider.id]: false });
        expect(await db.getRepository(Tenant).findOneByOrFail({ id: tenant.id })).toMatchObject({
          name: tenant.name,
          rootFolderId: tenant.rootFolderId,
        });
      }
    });

    it('prints API keys that authenticate as their users', async () => {
      const apiKeys = context.get(ApiKeysService);
      for (const tenant of seeded.tenants) {
        for (const role of ['admin', 'member', 'outsider'] as const) {
          expect(await apiKeys.authenticate(tenant.users[role].apiKey)).toMatchObject({
            userId: tenant.users[role].id,
            tenantId: tenant.id,
            isAdmin: role === 'admin',
          });
        }
      }
    });

    it('creates the four contacts as listed', async () => {
      for (const tenant of seeded.tenants) {
        const contact = (id: number) => db.getRepository(Contact).findOneByOrFail({ id });
        const { person, company, readOnlyCompany, privatePerson } = tenant.contacts;
        expect(await contact(person)).toMatchObject({ tenantId: tenant.id, isCompany: false, shareType: 1, currencyAbbreviation: 'USD' });
        expect(await contact(company)).toMatchObject({ tenantId: tenant.id, isCompany: true, shareType: 1, currencyAbbreviation: 'EUR' });
        expect(await contact(readOnlyCompany)).toMatchObject({
          tenantId: tenant.id,
          isCompany: true,
          shareType: 2,
          currencyAbbreviation: null,
        });
        expect(await contact(privatePerson)).toMatchObject({
          tenantId: tenant.id,
          isCompany: false,
          shareType: 0,
          currencyAbbreviation: null,
        });
        expect(await accessListOf('contact', person)).toEqual([]);
        expect(await accessListOf('contact', company)).toEqual([]);
        expect(await accessListOf('contact', readOnlyCompany)).toEqual([]);
        expect(await accessListOf('contact', privatePerson)).toEqual([tenant.users.member.id]);
      }
    });

    it('creates the opportunities and cases, all by the admin, the private ones for the member only', async () => {
      for (const tenant of seeded.tenants) {
        for (const [type, entityClass, records] of [
          ['opportunity', Opportunity, tenant.opportunities],
          ['case', CrmCase, tenant.cases],
        ] as const) {
          for (const id of [records.public, records.private]) {
            expect(await db.getRepository(entityClass).findOneByOrFail({ id })).toMatchObject({
              tenantId: tenant.id,
              createdBy: tenant.users.admin.id,
            });
          }
          expect(await accessListOf(type, records.public)).toEqual([]);
          expect(await accessListOf(type, records.private)).toEqual([tenant.users.member.id]);
        }
      }
    });

    it('creates small text files by the named users, in the root folder, linked to nothing', async () => {
      const storage = context.get<FileStorage>(FILE_STORAGE);
      for (const tenant of seeded.tenants) {
        for (const role of ['admin', 'member', 'outsider'] as const) {
          for (const id of tenant.files[role]) {
            const file = await db.getRepository(CrmFile).findOneByOrFail({ id });
            expect(file).toMatchObject({
              tenantId: tenant.id,
              folderId: tenant.rootFolderId,
              contentType: 'text/plain',
              createdBy: tenant.users[role].id,
              updatedBy: tenant.users[role].id,
              version: 1,
            });
            expect(file.name).toMatch(/\.txt$/);
            expect(file.contentLength).toBeGreaterThan(0);
            expect(file.contentLength).toBeLessThan(1024);
            const chunks: Buffer[] = [];
            for await (const chunk of storage.read(storageKeyForFile(tenant.id, id))) chunks.push(chunk as Buffer);
            expect(Buffer.concat(chunks).length).toBe(file.contentLength);
          }
        }
        const fileIds = Object.values(tenant.files).flat();
        expect(await db.getRepository(EventFileLink).countBy({ fileId: In(fileIds) })).toBe(0);
      }
    });

    it('creates two more tenants each time it runs', async () => {
      const again = await ok<{ tenants: DemoTenant[] }>(['seed', '--demo']);
      const before = seeded.tenants.map((tenant) => tenant.id);
      expect(again.tenants).toHaveLength(2);
      for (const tenant of again.tenants) expect(before).not.toContain(tenant.id);
    });

    it('fails without --demo', async () => {
      await fails(['seed'], /--demo/);
    });

    it('is not limited by MAX_UPLOAD_BYTES: its own files are seeded whole even with a 10-byte limit', async () => {
      const small = await ok<{ tenants: DemoTenant[] }>(['seed', '--demo'], { ...config, maxUploadBytes: 10 });
      expect(small.tenants).toHaveLength(2);
      for (const tenant of small.tenants) {
        const fileIds = Object.values(tenant.files).flat();
        expect(fileIds).toHaveLength(5);
        const files = await db.getRepository(CrmFile).findBy({ id: In(fileIds) });
        expect(files).toHaveLength(5);
        expect(files.every((file) => file.contentLength > 10)).toBe(true);
      }
    });
  });
});
