import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import { ForbiddenError, NotFoundError } from '../common/errors/api-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { forUpdate } from '../database/locking.js';
import type { Statement } from '../database/statement-batches.js';
import { Transactions } from '../database/transactions.js';
import { canEditFile, readableFileSql, type Caller } from '../records/access/access-policy.js';
import { testExitPoint } from '../lifecycle/test-exit-point.js';
import { FILE_STORAGE, type FileStorage, type StoredContent } from '../storage/file-storage.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import { employeeColumnsSql, employeeFromRow } from '../users/employee.sql.js';
import { UsersService } from '../users/users.service.js';
import type { FileDto } from './dto/file.dto.js';
import { CrmFile } from './entities/crm-file.entity.js';
import { FileId } from './entities/file-id.entity.js';
import { toFileDto } from './file.mapper.js';
import { FoldersService } from './folders.service.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { fileDeleted } from '../webhooks/outbox/webhook-event-payloads.js';
import { changeBy, WebhookOutbox } from '../webhooks/outbox/webhook-outbox.js';

/** Files the caller may read, with the `Employee` of each one's creator and last updater. */
export interface ReadableFiles {
  files: CrmFile[];
  employees: Map<string, EmployeeDto>;
}

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
    private readonly outbox: WebhookOutbox,
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
   * A statement, to send with others in one round trip: of the given ids (at least one), the rows
   * of the files of the caller's tenant that the caller may read (in no particular order), with
   * the `Employee` of each file's creator and last updater, so that a response can be built
   * without reading the files or their users again. Hand-written, on the attach's hot path: the
   * query builder's alias handling and entity transformation cost more than the query. Each
   * column is converted as TypeORM converts it.
   */
  readableByIdsStatement(caller: Caller & { tenantId: number }, fileIds: number[]): Statement<ReadableFiles> {
    if (fileIds.length === 0) throw new Error('readableByIdsStatement needs at least one file id.');
    const readable = readableFileSql(caller, 'file');
    const { driver } = this.files.manager.connection;
    const columns = this.files.metadata.columns;
    const [sql, values] = driver.escapeQueryWithParameters(
      `SELECT ${columns.map((column) => `file.${column.databaseName}`).join(', ')}, ${employeeColumnsSql('cu', 'cu_')}, ${employeeColumnsSql('uu', 'uu_')}
        FROM files file LEFT JOIN users cu ON cu.id = file.created_by LEFT JOIN users uu ON uu.id = file.updated_by
        WHERE file.id IN (:...fileIds) AND file.tenant_id = :tenantId AND ${readable.sql}`,
      { ...readable.params, fileIds, tenantId: caller.tenantId },
    );
    return {
      sql,
      values,
      read: ({ rows }) => {
        const employees = new Map<string, EmployeeDto>();
        const files = rows.map((row) => {
          for (const prefix of ['cu_', 'uu_']) {
            const employee = employeeFromRow(row, prefix);
            if (employee) employees.set(employee.Id, employee);
          }
          const file = new CrmFile();
          for (const column of columns) column.setEntityValue(file, driver.prepareHydratedValue(row[column.databaseName], column));
          return file;
        });
        return { files, employees };
      },
    };
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
        // A crash here leaves content in place without a committed row (the reaper's case).
        testExitPoint(this.config, 'after-content-move');
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
  async delete(caller: AuthenticatedUser, fileId: number): Promise<FileDto> {
    const file = await this.findReadable(caller, fileId);
    if (!file) throw new NotFoundError(`There is no file with id ${fileId}.`);
    if (!canEditFile(caller, file)) throw new ForbiddenError("Only the file's creator, its last updater or an admin may delete it.");
    const employees = await this.users.employeesByIds([file.createdBy, file.updatedBy]);
    const response = toFileDto(file, employees, this.config.publicBaseUrl);
    await this.transactions.run(async (manager) => {
      // Of two concurrent deletes, only the one that removed the row answers 200 (and publishes).
      if ((await this.deleteRows(manager, [file])) === 0) throw new NotFoundError(`There is no file with id ${fileId}.`);
      await this.outbox.publish(manager, changeBy(caller), [fileDeleted(response)]);
    });
    testExitPoint(this.config, 'after-row-delete');
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
    const employees = await this.users.employeesByIds(files.flatMap((file) => [file.createdBy, file.updatedBy]));
    return files.map((file) => toFileDto(file, employees, this.config.publicBaseUrl));
  }
}
