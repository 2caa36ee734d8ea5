import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { FilesNotFoundError, InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { HistoryEventsService } from '../history/history-events.service.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import type { RecordSummary } from '../records/records.service.js';
import { WebhookOutbox } from '../webhooks/outbox/webhook-outbox.js';
import { CrmFilesService } from './crm-files.service.js';
import type { AttachFilesDto } from './dto/attach-files.dto.js';

/**
 * The attach flow at service level, with mocked collaborators: the order of its checks, what
 * reaches the database and in how many transactions.
 */

const CALLER_ID = 'a1111111-1111-4111-8111-11111111111a';
const EMPLOYEE = { Id: CALLER_ID, DisplayName: 'Caller', Title: null, AvatarSmall: null, ProfileUrl: null };
const CALLER: AuthenticatedUser = { userId: CALLER_ID, tenantId: 7, isAdmin: false, apiKeyId: 1, employee: EMPLOYEE };
const UPLOADER = {
  Id: 'b2222222-2222-4222-8222-22222222222b',
  DisplayName: 'Uploader',
  Title: 'Clerk',
  AvatarSmall: null,
  ProfileUrl: null,
};
const RECORD: LoadedRecord = { type: 'contact', id: 12, tenantId: 7, permissions: { canRead: true, canEdit: true } };
const SUMMARY: RecordSummary = { permissions: RECORD.permissions, contact: null, entity: { type: 'opportunity', id: 12, title: 'Deal' } };
const loaded = (record: LoadedRecord = RECORD) => ({ record, summary: SUMMARY, employees: new Map() });
/** Readable files as the files query answers them: file 1 was uploaded by another user, the others by the caller. */
const fileRows = (ids: number[]) => ({
  files: ids.map((id) => ({
    id,
    name: `f${id}`,
    createdBy: id === 1 ? UPLOADER.Id : CALLER_ID,
    updatedBy: CALLER_ID,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  })),
  employees: new Map([[UPLOADER.Id, UPLOADER]]),
});
const CONFIG = { maxFileIds: 3, maxUploadBytes: 100, publicBaseUrl: null } as AppConfig;
const body = (fileids: number[], extra: Partial<AttachFilesDto> = {}) => ({ fileids, ...extra }) as AttachFilesDto;

/** A transaction manager that records the writes sent through it. */
function recordingManager() {
  const writes: { table: string; values: unknown }[] = [];
  const manager = {
    connection: {
      driver: { preparePersistentValue: (value: unknown) => value },
      getMetadata: () => ({ findColumnWithPropertyName: (propertyName: string) => ({ propertyName }) }),
    },
    getRepository: () => {
      throw new Error('Every write of the attach is a hand-written INSERT.');
    },
    query: async (sql: string, parameters: unknown[]) => {
      const [, table, columns] = /^INSERT INTO (\w+) \(([^)]*)\)/.exec(sql) ?? [];
      const names = columns.split(', ');
      const rows = [];
      for (let at = 0; at < parameters.length; at += names.length) {
        rows.push(Object.fromEntries(names.map((name, index) => [name, parameters[at + index]])));
      }
      writes.push({ table, values: rows });
      return { insertId: 99 };
    },
  };
  return { manager, writes };
}

describe('the attach flow', () => {
  const records = { findReadableSummary: vi.fn() };
  const files = { findReadableByIds: vi.fn(), findReadableIds: vi.fn() };
  const users = { employeesByIds: vi.fn() };
  const events = { metadata: { findColumnWithPropertyName: () => ({ propertyName: 'createdAt' }) } };
  const transactions = { run: vi.fn() };
  let history: HistoryEventsService;
  let crmFiles: CrmFilesService;
  let writes: { table: string; values: unknown }[];
  let responses: ReturnType<typeof vi.spyOn>;

  beforeEach(() => {
    vi.resetAllMocks();
    const recording = recordingManager();
    writes = recording.writes;
    transactions.run.mockImplementation((work: (manager: unknown) => Promise<unknown>) => work(recording.manager));
    records.findReadableSummary.mockResolvedValue(loaded());
    files.findReadableByIds.mockImplementation(async (_caller: unknown, ids: number[]) => fileRows(ids));
    history = new HistoryEventsService(
      events as never,
      {} as never,
      CONFIG,
      transactions as never,
      files as never,
      {} as never,
      users as never,
      {} as never,
      new WebhookOutbox(),
    );
    responses = vi.spyOn(history, 'responses');
    crmFiles = new CrmFilesService(CONFIG, records as never, {} as never, {} as never, history, new WebhookOutbox());
  });

  it('writes one event and its links in one transaction, the ids distinct in first-seen order, and answers the new event', async () => {
    const response = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([3, 1, 3]));
    expect(response).toMatchObject({ ID: 99, CreateBy: EMPLOYEE, Category: { ID: -2 }, Entity: { EntityId: 12 }, CanEdit: true });
    expect(response.Files.map((file) => file.ID)).toEqual([3, 1]);
    expect(response.Files[1]).toMatchObject({ CreatedBy: UPLOADER, UpdatedBy: EMPLOYEE });
    expect(files.findReadableByIds).toHaveBeenCalledWith(CALLER, [3, 1]);
    // The caller's Employee came with the key, the files' users with the files: no users query.
    expect(users.employeesByIds).not.toHaveBeenCalled();
    // Built from what was loaded for the checks: nothing is read back after the commit.
    expect(responses).not.toHaveBeenCalled();
    expect(transactions.run).toHaveBeenCalledTimes(1);
    expect(writes).toEqual([
      {
        table: 'history_events',
        values: [
          {
            tenant_id: 7,
            category_id: -2,
            content: 'Files are uploaded',
            contact_id: 12,
            entity_type: null,
            entity_id: null,
            created_by: CALLER_ID,
            created_at: expect.any(Date),
          },
        ],
      },
      {
        table: 'event_files',
        values: [
          { event_id: 99, file_id: 3, tenant_id: 7, record_type: 'contact', record_id: 12, position: 0 },
          { event_id: 99, file_id: 1, tenant_id: 7, record_type: 'contact', record_id: 12, position: 1 },
        ],
      },
      {
        // The webhook event, in the same transaction: the answer as its data, the caller as its actor.
        table: 'webhook_events',
        values: [
          {
            public_id: expect.stringMatching(/^evt_[\w-]{22}$/),
            tenant_id: 7,
            type: 'files.attached',
            ordering_key: 'contact:12',
            payload: expect.stringContaining(JSON.stringify({ Event: response })),
            created_at: expect.any(Date),
            dispatched: false,
          },
        ],
      },
    ]);
    expect(JSON.parse((writes[2].values as { payload: string }[])[0].payload)).toMatchObject({
      actor: EMPLOYEE,
      tenantId: 7,
      type: 'files.attached',
    });
  });

  it('names an opportunity or case by entity_type and entity_id', async () => {
    records.findReadableSummary.mockResolvedValue(loaded({ ...RECORD, type: 'case', id: 4 }));
    await crmFiles.attach(CALLER, { type: 'case', id: 4 }, body([1]));
    expect(writes[0].values).toMatchObject([{ contact_id: null, entity_type: 'case', entity_id: 4 }]);
  });

  it('counts the limit on ids as sent, repeats included: 400 before the record is looked up', async () => {
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1, 1, 1, 1])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).extensions.errors).toEqual([
      { field: 'fileids', message: 'fileids must contain no more than 3 elements' },
    ]);
    expect(records.findReadableSummary).not.toHaveBeenCalled();
  });

  it('judges a body naming another record (400) before the record (404)', async () => {
    records.findReadableSummary.mockRejectedValue(new NotFoundError('There is no contact with id 12.'));
    const error = await crmFiles
      .attach(CALLER, { type: 'contact', id: 12 }, body([1], { entityType: 'Case', entityid: 13 }))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).extensions.errors?.map((entry) => entry.field)).toEqual(['entityType', 'entityid']);
    expect(records.findReadableSummary).not.toHaveBeenCalled();
  });

  it('accepts a body naming the same record in any letter case', async () => {
    await expect(
      crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1], { entityType: 'CONTACT', entityid: 12 })),
    ).resolves.toMatchObject({ ID: 99 });
  });

  it('answers the record 404 before looking at the files, and writes nothing', async () => {
    records.findReadableSummary.mockRejectedValue(new NotFoundError('There is no contact with id 12.'));
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1]))).rejects.toThrow(NotFoundError);
    expect(files.findReadableByIds).not.toHaveBeenCalled();
    expect(transactions.run).not.toHaveBeenCalled();
  });

  it('answers 404 listing every unreadable file, in request order, and opens no transaction', async () => {
    files.findReadableByIds.mockResolvedValue(fileRows([2]));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([5, 2, 4])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FilesNotFoundError);
    expect((error as FilesNotFoundError).extensions.missingFileIds).toEqual([5, 4]);
    expect(transactions.run).not.toHaveBeenCalled();
  });

  it('reports a file deleted between the check and the insert (foreign key) as missing', async () => {
    files.findReadableByIds.mockResolvedValue(fileRows([1, 2]));
    files.findReadableIds.mockResolvedValue(new Set([1]));
    transactions.run.mockRejectedValue(Object.assign(new Error('FK'), { driverError: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } }));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1, 2])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FilesNotFoundError);
    expect((error as FilesNotFoundError).extensions.missingFileIds).toEqual([2]);
  });

  it('lets any other failure of the transaction through unchanged', async () => {
    const failure = new Error('disk full');
    transactions.run.mockRejectedValue(failure);
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1]))).rejects.toBe(failure);
    expect(files.findReadableByIds).toHaveBeenCalledTimes(1);
    expect(files.findReadableIds).not.toHaveBeenCalled();
  });
});
