import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Transactions } from '../database/transactions.js';
import { Folder } from '../files/entities/folder.entity.js';
import { HistoryCategory } from '../history/entities/history-category.entity.js';
import { DEFAULT_TENANT_CATEGORIES } from '../history/system-categories.js';
import { Tenant } from './entities/tenant.entity.js';

export class UnknownTenantError extends Error {}

@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** A tenant with its CRM root folder and its default history categories, all or nothing. */
  async create(name: string): Promise<{ id: number; rootFolderId: number }> {
    return this.transactions.run(async (manager) => {
      const tenant = await manager.getRepository(Tenant).save({ name, rootFolderId: null, createdAt: new Date() });
      const root = await manager.getRepository(Folder).save({ tenantId: tenant.id, title: 'CRM', parentId: null });
      await manager.getRepository(Tenant).update({ id: tenant.id }, { rootFolderId: root.id });
      await manager
        .getRepository(HistoryCategory)
        .insert(DEFAULT_TENANT_CATEGORIES.map((title, index) => ({ tenantId: tenant.id, title, sortOrder: index })));
      return { id: tenant.id, rootFolderId: root.id };
    });
  }

  async assertExists(id: number): Promise<void> {
    if (!(await this.dataSource.getRepository(Tenant).existsBy({ id }))) throw new UnknownTenantError(`No tenant with id ${id}.`);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.dataSource.getRepository(Tenant).count()) === 0;
  }
}
