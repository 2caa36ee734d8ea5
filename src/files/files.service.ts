import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { readableFileSql, type Caller } from '../access/access-policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Transactions } from '../database/transactions.js';
import { testExitPoint } from '../lifecycle/test-exit-point.js';
import { FILE_STORAGE, storageKeyForFile, type FileStorage, type StoredContent } from '../storage/file-storage.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { toEmployeeDto } from '../users/employee.mapper.js';
import { User } from '../users/entities/user.entity.js';
import type { FileDto } from './dto/file.dto.js';
import { CrmFile } from './entities/crm-file.entity.js';
import { toFileDto } from './file.mapper.js';

export interface FileOwner {
  userId: string;
  tenantId: number;
}

/** Content already written to storage under a temporary key, waiting for its file row. */
export interface StagedContent extends StoredContent {
  stagingKey: string;
}

export interface NewFile {
  name: string;
  contentType: string;
  content: StagedContent;
}

export interface NewFileContent {
  name: string;
  contentType: string;
  content: Readable;
}

/** File rows and their contents. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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

  /** The file, if it is in the caller's tenant and the caller may read it. */
  async findReadable(caller: Caller & { tenantId: number }, fileId: number): Promise<CrmFile | null> {
    const readable = readableFileSql(caller, 'file');
    return this.dataSource
      .createQueryBuilder(CrmFile, 'file')
      .where('file.id = :fileId AND file.tenant_id = :tenantId', { fileId, tenantId: caller.tenantId })
      .andWhere(readable.sql, readable.params)
      .getOne();
  }

  async rootFolderId(tenantId: number): Promise<number> {
    const tenant = await this.dataSource.getRepository(Tenant).findOne({ where: { id: tenantId }, select: { id: true, rootFolderId: true } });
    if (!tenant?.rootFolderId) throw new Error(`Tenant ${tenantId} has no root folder.`);
    return tenant.rootFolderId;
  }

  /** Streams content to storage under a temporary key; nothing is held in memory. */
  async stage(content: Readable, maxBytes: number): Promise<StagedContent> {
    const stagingKey = `staging/${randomUUID()}`;
    const stored = await this.storage.write(stagingKey, content, maxBytes);
    return { ...stored, stagingKey };
  }

  async discard(staged: StagedContent[]): Promise<void> {
    await Promise.all(staged.map((content) => this.storage.remove(content.stagingKey)));
  }

  /**
   * Writes the rows of staged files in one transaction and moves their contents under keys
   * made from the new ids. `afterInsert` runs in the same transaction, for writes that must
   * succeed or fail with the files (attaching them). On failure the staged contents are removed.
   */
  async commit<T = void>(
    owner: FileOwner,
    files: NewFile[],
    afterInsert?: (manager: EntityManager, created: CrmFile[]) => Promise<T>,
  ): Promise<{ files: CrmFile[]; result: T | undefined }> {
    try {
      const folderId = await this.rootFolderId(owner.tenantId);
      return await this.transactions.run(async (manager) => {
        const now = new Date();
        const created: CrmFile[] = [];
        for (const file of files) {
          created.push(
            await manager.getRepository(CrmFile).save({
              tenantId: owner.tenantId,
              folderId,
              name: file.name,
              contentType: file.contentType,
              contentLength: file.content.size,
              sha256: file.content.sha256,
              version: 1,
              createdBy: owner.userId,
              createdAt: now,
              updatedBy: owner.userId,
              updatedAt: now,
            }),
          );
        }
        const result = afterInsert ? await afterInsert(manager, created) : undefined;
        // Moved last, inside the transaction: if a move fails, no row points at missing content.
        for (const [index, file] of created.entries()) {
          await this.storage.move(files[index].content.stagingKey, storageKeyForFile(owner.tenantId, file.id));
        }
        testExitPoint(this.config, 'after-content-move');
        return { files: created, result };
      });
    } catch (error) {
      await this.discard(files.map((file) => file.content));
      throw error;
    }
  }

  /** One file from a stream: stage, then commit. */
  async create<T = void>(
    owner: FileOwner,
    file: NewFileContent,
    maxBytes: number,
    afterInsert?: (manager: EntityManager, created: CrmFile[]) => Promise<T>,
  ): Promise<{ file: CrmFile; result: T | undefined }> {
    const staged = await this.stage(file.content, maxBytes);
    const { files, result } = await this.commit(owner, [{ name: file.name, contentType: file.contentType, content: staged }], afterInsert);
    return { file: files[0], result };
  }

  /** Deletes rows (their links go with them by foreign key) in the caller's transaction; returns how many. */
  async deleteRows(manager: EntityManager, files: CrmFile[]): Promise<number> {
    if (files.length === 0) return 0;
    const result = await manager.getRepository(CrmFile).delete({ id: In(files.map((file) => file.id)) });
    return result.affected ?? files.length;
  }

  /** Removes contents once their rows are gone; a failure leaves an orphan blob, never a broken row. */
  async removeContents(files: CrmFile[]): Promise<void> {
    for (const file of files) {
      try {
        await this.storage.remove(storageKeyForFile(file.tenantId, file.id));
      } catch (error) {
        this.logger.warn(`Could not remove the content of file ${file.id}: ${(error as Error).message}`);
      }
    }
  }

  openContent(file: CrmFile, range?: { start: number; end: number }): Readable {
    return this.storage.read(storageKeyForFile(file.tenantId, file.id), range);
  }

  /** `File` responses for any number of files, with one query for the users they name. */
  async toDtos(files: CrmFile[]): Promise<FileDto[]> {
    if (files.length === 0) return [];
    const userIds = [...new Set(files.flatMap((file) => [file.createdBy, file.updatedBy]))];
    const users = await this.dataSource.getRepository(User).findBy({ id: In(userIds) });
    const employees = new Map<string, EmployeeDto>(users.map((user) => [user.id, toEmployeeDto(user)]));
    return files.map((file) => toFileDto(file, employees, this.config.publicBaseUrl));
  }
}
