import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { FilesService } from '../files/files.service.js';
import { ShareType } from '../records/entities/share-type.js';
import { RecordsService } from '../records/records.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { UsersService } from '../users/users.service.js';

type DemoRole = 'admin' | 'member' | 'outsider';

export interface DemoTenant {
  id: number;
  name: string;
  rootFolderId: number;
  users: Record<DemoRole, { id: string; apiKey: string }>;
  contacts: { person: number; company: number; readOnlyCompany: number; privatePerson: number };
  opportunities: { public: number; private: number };
  cases: { public: number; private: number };
  files: Record<DemoRole, number[]>;
}

const USERS: Record<DemoRole, { displayName: string; title: string; isAdmin: boolean }> = {
  admin: { displayName: 'Alice Admin', title: 'CRM administrator', isAdmin: true },
  member: { displayName: 'Mark Member', title: 'Account manager', isAdmin: false },
  outsider: { displayName: 'Olga Outsider', title: 'Support engineer', isAdmin: false },
};

const FILES: Record<DemoRole, string[]> = {
  admin: ['admin-notes.txt'],
  member: ['meeting-minutes.txt', 'proposal-draft.txt', 'price-list.txt'],
  outsider: ['outsider-todo.txt'],
};

/**
 * The demo data set: two tenants with the same content, so that both the access
 * rules within a tenant and the isolation between tenants can be tried at once.
 */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly records: RecordsService,
    private readonly files: FilesService,
  ) {}

  async seed(): Promise<{ tenants: DemoTenant[] }> {
    return { tenants: [await this.seedTenant('Demo CRM A'), await this.seedTenant('Demo CRM B')] };
  }

  private async seedTenant(name: string): Promise<DemoTenant> {
    const tenant = await this.tenants.create(name);
    const users = {} as DemoTenant['users'];
    for (const role of Object.keys(USERS) as DemoRole[]) {
      const id = await this.users.create({ tenantId: tenant.id, ...USERS[role] });
      const { apiKey } = await this.apiKeys.create(id, `demo ${role}`);
      users[role] = { id, apiKey };
    }
    const admin = users.admin.id;
    const member = users.member.id;
    const contact = (fields: Omit<Parameters<RecordsService['createContact']>[0], 'tenantId'>) =>
      this.records.createContact({ tenantId: tenant.id, ...fields });
    const contacts = {
      person: await contact({
        person: { firstName: 'Grace', lastName: 'Hopper' },
        shareType: ShareType.ReadWrite,
        accessList: [],
        currency: 'USD',
      }),
      company: await contact({ company: { name: 'Acme Corporation' }, shareType: ShareType.ReadWrite, accessList: [], currency: 'EUR' }),
      readOnlyCompany: await contact({ company: { name: 'Globex Industries' }, shareType: ShareType.Read, accessList: [], currency: null }),
      privatePerson: await contact({
        person: { firstName: 'Ada', lastName: 'Lovelace' },
        shareType: ShareType.None,
        accessList: [member],
        currency: null,
      }),
    };
    const entity = (type: 'opportunity' | 'case', title: string, accessList: string[]) =>
      this.records.createEntity(type, { tenantId: tenant.id, title, createdBy: admin, accessList });
    const opportunities = {
      public: await entity('opportunity', 'Website redesign', []),
      private: await entity('opportunity', 'Confidential acquisition', [member]),
    };
    const cases = {
      public: await entity('case', 'Login problems', []),
      private: await entity('case', 'Contract dispute', [member]),
    };
    const files = {} as DemoTenant['files'];
    for (const role of Object.keys(FILES) as DemoRole[]) {
      files[role] = [];
      for (const fileName of FILES[role]) {
        const content = Readable.from([Buffer.from(`${fileName} of ${USERS[role].displayName}, ${name}.\n`, 'utf8')]);
        const created = await this.files.create(
          { userId: users[role].id, tenantId: tenant.id },
          { name: fileName, contentType: 'text/plain', content },
          // MAX_UPLOAD_BYTES limits what callers send, not the seed's own few-byte files: with a
          // tiny limit the seed would otherwise fail half-way, leaving a partial demo data set.
          Number.MAX_SAFE_INTEGER,
        );
        files[role].push(created.file.id);
      }
    }
    return { id: tenant.id, name, rootFolderId: tenant.rootFolderId, users, contacts, opportunities, cases, files };
  }
}
