import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { readableFileSql, type Caller } from '../access/access-policy.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Transactions } from '../database/transactions.js';
import { FILE_STORAGE, type FileStorage, type StoredContent } from '../storage/file-storage.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { toEmployeeDto } from '../users/employee.mapper.js';
import { User } from '../users/entities/user.entity.js';
import type { FileDto } from './dto/file.dto.js';
import { CrmFile } from './entities/crm-file.entity.js';
import { FileId } from './entities/file-id.entity.js';
import { toFileDto } from './file.mapper.js';

export interface FileOwner {
  userId: string;
  tenantId: number;
}

/**
 * Content already written to storage under its final key, with the file id that key is made
 * of, waiting for its file row. It is removed again when the row is not committed.
 */
export interface StagedContent extends StoredContent {
  fileId: number;
  key: string;
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

  /**
   * Takes a new file id and streams the content to storage under the file's final key; nothing
   * is held in memory. Object storage has no cheap move, so content is never written twice: the
   * row is inserted with this id by `commit`, and `discard` removes the content if it is not.
   * A crash in between leaves content without a row, which the stale-content sweep removes.
   */
  async stage(owner: FileOwner, content: Readable, maxBytes: number): Promise<StagedContent> {
    const fileId = await this.allocateFileId();
    const key = this.storage.keyForFile(owner.tenantId, fileId);
    const stored = await this.storage.write(key, content, maxBytes);
    return { ...stored, fileId, key };
  }

  /** Removes contents whose rows were not committed; a failure leaves them to the stale-content sweep. */
  async discard(staged: StagedContent[]): Promise<void> {
    for (const content of staged) {
      try {
        await this.storage.remove(content.key);
      } catch (error) {
        this.logger.warn(`Could not remove the uncommitted content of file ${content.fileId}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * A file id never handed out before, in any tenant. Taken in a transaction of its own: on
   * SQLite's single shared connection a bare insert could otherwise join (and roll back with)
   * another request's transaction, and the same id could then be handed out twice.
   */
  private async allocateFileId(): Promise<number> {
    return this.transactions.run(async (manager) => {
      const result = await manager.getRepository(FileId).insert({ allocatedAt: new Date() });
      return Number(result.identifiers[0].id);
    });
  }

  /**
   * Writes the rows of staged files, with the ids their contents are stored under, in one
   * transaction. `afterInsert` runs in the same transaction, for writes that must succeed or
   * fail with the files (attaching them). When the transaction does not commit, the contents
   * are removed.
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
          const row = manager.getRepository(CrmFile).create({
            id: file.content.fileId,
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
          });
          await manager.getRepository(CrmFile).insert(row);
          created.push(row);
        }
        const result = afterInsert ? await afterInsert(manager, created) : undefined;
        return { files: created, result };
      });
    } catch (error) {
      await this.discard(files.map((file) => file.content));
      throw error;
    }
  }

  /** One file from a stream: stored under its final key, then its row committed. */
  async create<T = void>(
    owner: FileOwner,
    file: NewFileContent,
    maxBytes: number,
    afterInsert?: (manager: EntityManager, created: CrmFile[]) => Promise<T>,
  ): Promise<{ file: CrmFile; result: T | undefined }> {
    const staged = await this.stage(owner, file.content, maxBytes);
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
        await this.storage.remove(this.storage.keyForFile(file.tenantId, file.id));
      } catch (error) {
        this.logger.warn(`Could not remove the content of file ${file.id}: ${(error as Error).message}`);
      }
    }
  }

  openContent(file: CrmFile, range?: { start: number; end: number }): Readable {
    return this.storage.read(this.storage.keyForFile(file.tenantId, file.id), range);
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
