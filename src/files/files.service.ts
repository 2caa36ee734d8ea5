import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { readableFileSql, type Caller } from '../access/access-policy.js';
import { Transactions } from '../database/transactions.js';
import { FILE_STORAGE, storageKeyForFile, type FileStorage } from '../storage/file-storage.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import { CrmFile } from './entities/crm-file.entity.js';

export interface FileOwner {
  userId: string;
  tenantId: number;
}

export interface NewFileContent {
  name: string;
  contentType: string;
  content: Readable;
}

/** File rows and their contents. */
@Injectable()
export class FilesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly transactions: Transactions,
  ) {}

  /** Of the given ids, those naming a file of the caller's tenant that the caller may read: one query. */
  async findReadableIds(caller: Caller & { tenantId: number }, fileIds: number[]): Promise<Set<number>> {
    if (fileIds.length === 0) return new Set();
    const readable = readableFileSql(caller, 'file');
    const rows = await this.dataSource
      .createQueryBuilder(CrmFile, 'file')
      .select('file.id', 'id')
      .where('file.id IN (:...fileIds) AND file.tenant_id = :tenantId', { fileIds, tenantId: caller.tenantId })
      .andWhere(readable.sql, readable.params)
      .getRawMany<{ id: number }>();
    return new Set(rows.map((row) => Number(row.id)));
  }

  async rootFolderId(tenantId: number): Promise<number> {
    const tenant = await this.dataSource.getRepository(Tenant).findOne({ where: { id: tenantId }, select: { id: true, rootFolderId: true } });
    if (!tenant?.rootFolderId) throw new Error(`Tenant ${tenantId} has no root folder.`);
    return tenant.rootFolderId;
  }

  /**
   * Streams the content to storage first (under a staging key, so nothing is held in memory
   * and no transaction stays open during a long upload), then writes the row and moves the
   * content under the key made from the new id. `afterInsert` runs in the same transaction
   * as the row, for writes that must succeed or fail with it (attaching).
   */
  async create<T = void>(
    owner: FileOwner,
    file: NewFileContent,
    maxBytes: number,
    afterInsert?: (manager: EntityManager, created: CrmFile) => Promise<T>,
  ): Promise<{ file: CrmFile; result: T | undefined }> {
    const folderId = await this.rootFolderId(owner.tenantId);
    const stagingKey = `staging/${randomUUID()}`;
    const stored = await this.storage.write(stagingKey, file.content, maxBytes);
    try {
      return await this.transactions.run(async (manager) => {
        const now = new Date();
        const created = await manager.getRepository(CrmFile).save({
          tenantId: owner.tenantId,
          folderId,
          name: file.name,
          contentType: file.contentType,
          contentLength: stored.size,
          sha256: stored.sha256,
          version: 1,
          createdBy: owner.userId,
          createdAt: now,
          updatedBy: owner.userId,
          updatedAt: now,
        });
        const result = afterInsert ? await afterInsert(manager, created) : undefined;
        await this.storage.move(stagingKey, storageKeyForFile(owner.tenantId, created.id));
        return { file: created, result };
      });
    } catch (error) {
      await this.storage.remove(stagingKey);
      throw error;
    }
  }
}
