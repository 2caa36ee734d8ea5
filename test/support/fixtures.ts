import { Readable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { FilesService } from '../../src/files/files.service.js';
import { ShareType } from '../../src/records/entities/share-type.js';
import { RecordsService } from '../../src/records/records.service.js';
import { DemoSeedService, type DemoTenant } from '../../src/seed/demo-seed.service.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { UsersService } from '../../src/users/users.service.js';

/**
 * Small factories over the real services. Every test makes its own tenants, so tests never
 * share mutable state, even when they share one MySQL database.
 */
export function fixtures(app: NestFastifyApplication) {
  let counter = 0;
  const unique = (prefix: string) => `${prefix} ${process.pid}-${Date.now()}-${++counter}`;

  const tenant = async () => {
    const created = await app.get(TenantsService).create(unique('Tenant'));
    return { ...created, tenantId: created.id };
  };

  const user = async (tenantId: number, options: { admin?: boolean; name?: string } = {}) => {
    const id = await app.get(UsersService).create({
      tenantId,
      displayName: options.name ?? unique('User'),
      title: null,
      isAdmin: options.admin ?? false,
    });
    const { apiKey, id: apiKeyId } = await app.get(ApiKeysService).create(id, null);
    return { id, tenantId, apiKey, apiKeyId, auth: { Authorization: apiKey } };
  };

  const contact = (tenantId: number, options: { share?: ShareType; access?: string[]; company?: string; currency?: string | null } = {}) =>
    app.get(RecordsService).createContact({
      tenantId,
      ...(options.company ? { company: { name: options.company } } : { person: { firstName: 'Grace', lastName: 'Hopper' } }),
      shareType: options.share ?? ShareType.ReadWrite,
      accessList: options.access ?? [],
      currency: options.currency ?? null,
    });

  const entity = (type: 'opportunity' | 'case', tenantId: number, createdBy: string, options: { access?: string[]; title?: string } = {}) =>
    app
      .get(RecordsService)
      .createEntity(type, { tenantId, title: options.title ?? unique(type), createdBy, accessList: options.access ?? [] });

  const file = async (owner: { id: string; tenantId: number }, name = 'notes.txt', content = 'hello') => {
    const created = await app
      .get(FilesService)
      .create(
        { userId: owner.id, tenantId: owner.tenantId },
        { name, contentType: 'text/plain', content: Readable.from([Buffer.from(content)]) },
        1_000_000,
      );
    return created.file.id;
  };

  const files = async (owner: { id: string; tenantId: number }, count: number) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(await file(owner, `file-${i}.txt`, `content ${i}`));
    return ids;
  };

  /** The demo data set: two tenants with admin, member and outsider, and every kind of record. */
  const demo = async (): Promise<[DemoTenant, DemoTenant]> => {
    const { tenants } = await app.get(DemoSeedService).seed();
    return [tenants[0], tenants[1]];
  };

  return { tenant, user, contact, entity, file, files, demo };
}

export const auth = (apiKey: string) => ({ Authorization: apiKey });
