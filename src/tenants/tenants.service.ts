import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Transactions } from '../database/transactions.js';
import { FoldersService } from '../files/folders.service.js';
import { HistoryCategoriesService } from '../history/history-categories.service.js';
import { Tenant } from './entities/tenant.entity.js';

export class UnknownTenantError extends Error {}

/** The `tenants` table, and a new tenant with what every tenant starts with. */
@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    private readonly transactions: Transactions,
    private readonly folders: FoldersService,
    private readonly categories: HistoryCategoriesService,
  ) {}

  /** A tenant with its CRM root folder and its default history categories, all or nothing. */
  async create(name: string): Promise<{ id: number; rootFolderId: number }> {
    return this.transactions.run(async (manager) => {
      const tenant = await manager.getRepository(Tenant).save({ name, rootFolderId: null, createdAt: new Date() });
      const rootFolderId = await this.folders.createRoot(manager, tenant.id);
      await manager.getRepository(Tenant).update({ id: tenant.id }, { rootFolderId });
      await this.categories.createDefaults(manager, tenant.id);
      return { id: tenant.id, rootFolderId };
    });
  }

  async assertExists(id: number): Promise<void> {
    if (!(await this.tenants.existsBy({ id }))) throw new UnknownTenantError(`No tenant with id ${id}.`);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.tenants.count()) === 0;
  }
}
