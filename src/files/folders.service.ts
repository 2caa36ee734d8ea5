import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { Folder } from './entities/folder.entity.js';

/** The `folders` table: each tenant has one CRM root folder, where every file of the API lives. */
@Injectable()
export class FoldersService {
  constructor(@InjectRepository(Folder) private readonly folders: Repository<Folder>) {}

  /** The root folder of a new tenant, in the caller's transaction. */
  async createRoot(manager: EntityManager, tenantId: number): Promise<number> {
    const root = await manager.getRepository(Folder).save({ tenantId, title: 'CRM', parentId: null });
    return root.id;
  }

  /** The tenant's root folder: its only folder without a parent (created with the tenant). One query. */
  async rootFolderId(tenantId: number): Promise<number> {
    const root = await this.folders.findOne({ where: { tenantId, parentId: IsNull() }, select: { id: true }, order: { id: 'ASC' } });
    if (!root) throw new Error(`Tenant ${tenantId} has no root folder.`);
    return root.id;
  }
}
