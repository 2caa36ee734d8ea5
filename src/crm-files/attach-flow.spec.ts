import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { FilesNotFoundError, InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { HistoryEventsService } from '../history/history-events.service.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import { CrmFilesService } from './crm-files.service.js';
import type { AttachFilesDto } from './dto/attach-files.dto.js';

/**
 * The attach flow at service level, with mocked collaborators: the order of its checks, what
 * reaches the database and in how many transactions.
 */

const CALLER: AuthenticatedUser = { userId: 'a1111111-1111-4111-8111-11111111111a', tenantId: 7, isAdmin: false, apiKeyId: 1 };
const RECORD: LoadedRecord = { type: 'contact', id: 12, tenantId: 7, permissions: { canRead: true, canEdit: true } };
const CONFIG = { maxFileIds: 3, maxUploadBytes: 100, publicBaseUrl: null } as AppConfig;
const body = (fileids: number[], extra: Partial<AttachFilesDto> = {}) => ({ fileids, ...extra }) as AttachFilesDto;

/** A transaction manager that records the writes sent through it. */
function recordingManager() {
  const writes: { table: string; values: unknown }[] = [];
  const manager = {
    getRepository: () => ({
      create: (values: object) => ({ ...values }),
      insert: async (event: { id?: number }) => {
        writes.push({ table: 'history_events', values: { ...event } });
        event.id = 99;
      },
    }),
    createQueryBuilder: () => {
      const chain = {
        insert: () => chain,
        into: () => chain,
        values: (values: unknown) => {
          writes.push({ table: 'event_files', values });
          return chain;
        },
        updateEntity: () => chain,
        execute: async () => undefined,
      };
      return chain;
    },
  };
  return { manager, writes };
}

describe('the attach flow', () => {
  const records = { findReadable: vi.fn() };
  const files = { findReadableIds: vi.fn() };
  const transactions = { run: vi.fn() };
  let history: HistoryEventsService;
  let crmFiles: CrmFilesService;
  let writes: { table: string; values: unknown }[];

  beforeEach(() => {
    vi.resetAllMocks();
    const recording = recordingManager();
    writes = recording.writes;
    transactions.run.mockImplementation((work: (manager: unknown) => Promise<unknown>) => work(recording.manager));
    records.findReadable.mockResolvedValue(RECORD);
    files.findReadableIds.mockImplementation(async (_caller: unknown, ids: number[]) => new Set(ids));
    history = new HistoryEventsService({} as never, {} as never, CONFIG, transactions as never, files as never, {} as never, {} as never, {} as never);
    vi.spyOn(history, 'responses').mockImplementation(async (_caller, events) => events.map((event) => ({ ID: event.id }) as never));
    crmFiles = new CrmFilesService(CONFIG, records as never, {} as never, {} as never, history);
  });

  it('writes one event and its links in one transaction, the ids distinct in first-seen order, and answers the new event', async () => {
    const response = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([3, 1, 3]));
    expect(response).toEqual({ ID: 99 });
    expect(files.findReadableIds).toHaveBeenCalledWith(CALLER, [3, 1]);
    expect(transactions.run).toHaveBeenCalledTimes(1);
    expect(writes).toEqual([
      {
        table: 'history_events',
        values: expect.objectContaining({ tenantId: 7, categoryId: -2, content: 'Files are uploaded', contactId: 12, entityType: null, entityId: null, createdBy: CALLER.userId }),
      },
      {
        table: 'event_files',
        values: [
          { eventId: 99, fileId: 3, tenantId: 7, position: 0 },
          { eventId: 99, fileId: 1, tenantId: 7, position: 1 },
        ],
      },
    ]);
  });

  it('names an opportunity or case by entity_type and entity_id', async () => {
    records.findReadable.mockResolvedValue({ ...RECORD, type: 'case', id: 4 });
    await crmFiles.attach(CALLER, { type: 'case', id: 4 }, body([1]));
    expect(writes[0].values).toMatchObject({ contactId: null, entityType: 'case', entityId: 4 });
  });

  it('counts the limit on ids as sent, repeats included: 400 before the record is looked up', async () => {
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1, 1, 1, 1])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).extensions.errors).toEqual([{ field: 'fileids', message: 'fileids must contain no more than 3 elements' }]);
    expect(records.findReadable).not.toHaveBeenCalled();
  });

  it('judges a body naming another record (400) before the record (404)', async () => {
    records.findReadable.mockRejectedValue(new NotFoundError('There is no contact with id 12.'));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1], { entityType: 'Case', entityid: 13 })).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).extensions.errors?.map((entry) => entry.field)).toEqual(['entityType', 'entityid']);
    expect(records.findReadable).not.toHaveBeenCalled();
  });

  it('accepts a body naming the same record in any letter case', async () => {
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1], { entityType: 'CONTACT', entityid: 12 }))).resolves.toEqual({ ID: 99 });
  });

  it('answers the record 404 before looking at the files, and writes nothing', async () => {
    records.findReadable.mockRejectedValue(new NotFoundError('There is no contact with id 12.'));
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1]))).rejects.toThrow(NotFoundError);
    expect(files.findReadableIds).not.toHaveBeenCalled();
    expect(transactions.run).not.toHaveBeenCalled();
  });

  it('answers 404 listing every unreadable file, in request order, and opens no transaction', async () => {
    files.findReadableIds.mockResolvedValue(new Set([2]));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([5, 2, 4])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FilesNotFoundError);
    expect((error as FilesNotFoundError).extensions.missingFileIds).toEqual([5, 4]);
    expect(transactions.run).not.toHaveBeenCalled();
  });

  it('reports a file deleted between the check and the insert (foreign key) as missing', async () => {
    files.findReadableIds.mockResolvedValueOnce(new Set([1, 2])).mockResolvedValueOnce(new Set([1]));
    transactions.run.mockRejectedValue(Object.assign(new Error('FK'), { driverError: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } }));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1, 2])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FilesNotFoundError);
    expect((error as FilesNotFoundError).extensions.missingFileIds).toEqual([2]);
  });

  it('lets any other failure of the transaction through unchanged', async () => {
    const failure = new Error('disk full');
    transactions.run.mockRejectedValue(failure);
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1]))).rejects.toBe(failure);
    expect(files.findReadableIds).toHaveBeenCalledTimes(1);
  });
});
