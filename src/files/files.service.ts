import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import { ForbiddenError, NotFoundError } from '../common/errors/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { forUpdate } from '../database/locking.js';
import { Transactions } from '../database/transactions.js';
import { canEditFile, readableFileSql, type Caller } from '../records/access/access-policy.js';
import { FILE_STORAGE, storageKeyForFile, type FileStorage, type StoredContent } from '../storage/file-storage.js';
import { UsersService } from '../users/users.service.js';
import type { FileDto } from './dto/file.dto.js';
import { CrmFile } from './entities/crm-file.entity.js';
import { toFileDto } from './file.mapper.js';
import { FoldersService } from './folders.service.js';

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

/** The `files` table and the contents in storage: the only code that touches either. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @InjectRepository(CrmFile) private readonly files: Repository<CrmFile>,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly folders: FoldersService,
    private readonly users: UsersService,
  ) {}

  /** Of the given ids, those naming a file of the caller's tenant that the caller may read: one query. */
  async findReadableIds(caller: Caller & { tenantId: number }, fileIds: number[]): Promise<Set<number>> {
    if (fileIds.length === 0) return new Set();
    const readable = readableFileSql(caller, 'file');
    const rows = await this.files
      .createQueryBuilder('file')
      .select('file.id', 'id')
      .where('file.id IN (:...fileIds) AND file.tenant_id = :tenantId', { fileIds, tenantId: caller.tenantId })
      .andWhere(readable.sql, readable.params)
      .getRawMany<{ id: number }>();
    return new Set(rows.map((row) => Number(row.id)));
  }

  /**
   * Of the given ids, the rows of the files of the caller's tenant that the caller may read (in
   * no particular order): one query, so that a response can be built without reading them again.
   */
  async findReadableByIds(caller: Caller & { tenantId: number }, fileIds: number[]): Promise<CrmFile[]> {
    if (fileIds.length === 0) return [];
    // Hand-written, on the attach's hot path: the query builder's alias handling and entity
    // transformation cost more than the query. Each column is converted as TypeORM converts it.
    const readable = readableFileSql(caller, 'file');
    const { driver } = this.files.manager.connection;
    const columns = this.files.metadata.columns;
    const [sql, parameters] = driver.escapeQueryWithParameters(
      `SELECT ${columns.map((column) => `file.${column.databaseName}`).join(', ')} FROM files file
        WHERE file.id IN (:...fileIds) AND file.tenant_id = :tenantId AND ${readable.sql}`,
      { ...readable.params, fileIds, tenantId: caller.tenantId },
    );
    const rows: Record<string, unknown>[] = await this.files.query(sql, parameters);
    return rows.map((row) => {
      const file = new CrmFile();
      for (const column of columns) column.setEntityValue(file, driver.prepareHydratedValue(row[column.databaseName], column));
      return file;
    });
  }

  /** The file, if it is in the caller's tenant and the caller may read it. */
  async findReadable(caller: Caller & { tenantId: number }, fileId: number): Promise<CrmFile | null> {
    const readable = readableFileSql(caller, 'file');
    return this.files
      .createQueryBuilder('file')
      .where('file.id = :fileId AND file.tenant_id = :tenantId', { fileId, tenantId: caller.tenantId })
      .andWhere(readable.sql, readable.params)
      .getOne();
  }

  async rootFolderId(tenantId: number): Promise<number> {
    return this.folders.rootFolderId(tenantId);
  }

  /** The files of the given ids, in that order (ids without a file are left out): one query. */
  async findByIds(fileIds: number[]): Promise<CrmFile[]> {
    if (fileIds.length === 0) return [];
    const byId = new Map((await this.files.findBy({ id: In(fileIds) })).map((file) => [file.id, file]));
    return fileIds.flatMap((id) => byId.get(id) ?? []);
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

  /**
   * The files of the given ids, locked (on MySQL) until the caller's transaction ends: a
   * concurrent attach of one of them waits, since its foreign key check needs the row.
   */
  async lockByIds(manager: EntityManager, fileIds: number[]): Promise<CrmFile[]> {
    if (fileIds.length === 0) return [];
    return forUpdate(manager.createQueryBuilder(CrmFile, 'file').where('file.id IN (:...fileIds)', { fileIds })).getMany();
  }

  /**
   * DELETE of one file: readable (else 404), editable (else 403), then its row and links in one
   * transaction and its content after. Answers the file as it was.
   */
  async delete(caller: Caller & { tenantId: number }, fileId: number): Promise<FileDto> {
    const file = await this.findReadable(caller, fileId);
    if (!file) throw new NotFoundError(`There is no file with id ${fileId}.`);
    if (!canEditFile(caller, file)) throw new ForbiddenError('Only the file\'s creator, its last updater or an admin may delete it.');
    const [response] = await this.toDtos([file]);
    const deleted = await this.transactions.run((manager) => this.deleteRows(manager, [file]));
    // Of two concurrent deletes, only the one that removed the row answers 200.
    if (deleted === 0) throw new NotFoundError(`There is no file with id ${fileId}.`);
    await this.removeContents([file]);
    return response;
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
    const employees = await this.users.employeesByIds(files.flatMap((file) => [file.createdBy, file.updatedBy]));
    return files.map((file) => toFileDto(file, employees, this.config.publicBaseUrl));
  }
}
