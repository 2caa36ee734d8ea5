import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { FilesNotFoundError, InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { HistoryEventsService } from '../history/history-events.service.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import type { RecordSummary } from '../records/records.service.js';
import { InsertedIdValue, type Statement } from '../database/statement-batches.js';
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

/** Reads a hand-written INSERT back into the rows it writes, one object per row keyed by column. */
function rowsOfInsert(sql: string, values: readonly unknown[]): { table: string; values: Record<string, unknown>[] } {
  const [, table, columns] = /^INSERT INTO (\w+) \(([^)]*)\)/.exec(sql) ?? [];
  const names = columns.split(', ');
  const rows = [];
  for (let at = 0; at < values.length; at += names.length) {
    rows.push(Object.fromEntries(names.map((name, index) => [name, values[at + index]])));
  }
  return { table, values: rows };
}

/**
 * Statement batches that answer the reads with what each statement reads from no rows (the
 * mocks below decide), and record the writes of each transaction; the new event gets id 99.
 */
function recordingBatches() {
  const writes: { table: string; values: Record<string, unknown>[] }[] = [];
  const reads: string[][] = [];
  const answer = (each: Statement<unknown>) => {
    if (each.sql.startsWith('INSERT')) {
      // What the database writes for a value that holds the new event's id.
      const values = each.values.map((value) => (value instanceof InsertedIdValue ? value.withId(99) : value));
      writes.push(rowsOfInsert(each.sql, values));
    }
    return each.read({ rows: [], insertId: each.sql.startsWith('INSERT INTO history_events') ? 99 : null });
  };
  const batches = {
    read: vi.fn(async (statements: Statement<unknown>[]) => {
      reads.push(statements.map((each) => each.sql));
      return statements.map(answer);
    }),
    transaction: vi.fn(async (statements: Statement<unknown>[]) => statements.map(answer)),
  };
  return { batches, writes, reads };
}

/** A repository as far as the outbox's INSERT asks it: values pass unconverted. */
const OUTBOX_EVENTS = {
  manager: { connection: { driver: { preparePersistentValue: (value: unknown) => value } } },
  metadata: { findColumnWithPropertyName: (propertyName: string) => ({ propertyName }) },
};

describe('the attach flow', () => {
  /** The statements the services would send, named by what they ask; their answers are set per test. */
  const records = { readableSummaryStatement: vi.fn() };
  const files = { readableByIdsStatement: vi.fn(), findReadableIds: vi.fn() };
  const readsRecord = (answer: () => unknown) =>
    records.readableSummaryStatement.mockImplementation(() => ({ sql: 'SELECT record', values: [], read: answer }));
  const readsFiles = (answer: (ids: number[]) => unknown) =>
    files.readableByIdsStatement.mockImplementation((_caller: unknown, ids: number[]) => ({
      sql: 'SELECT files',
      values: [],
      read: () => answer(ids),
    }));
  const users = { employeesByIds: vi.fn() };
  const events = {
    metadata: { findColumnWithPropertyName: () => ({ propertyName: 'createdAt' }) },
    manager: { connection: { driver: { preparePersistentValue: (value: unknown) => value } } },
  };
  let history: HistoryEventsService;
  let crmFiles: CrmFilesService;
  let batches: ReturnType<typeof recordingBatches>['batches'];
  let writes: { table: string; values: unknown }[];
  let reads: string[][];
  let responses: ReturnType<typeof vi.spyOn>;

  beforeEach(() => {
    vi.resetAllMocks();
    ({ batches, writes, reads } = recordingBatches());
    readsRecord(() => loaded());
    readsFiles(fileRows);
    const outbox = new WebhookOutbox(OUTBOX_EVENTS as never);
    history = new HistoryEventsService(
      events as never,
      {} as never,
      CONFIG,
      batches as never,
      files as never,
      records as never,
      users as never,
      {} as never,
      outbox,
    );
    responses = vi.spyOn(history, 'responses');
    crmFiles = new CrmFilesService(CONFIG, records as never, {} as never, {} as never, history, outbox);
  });

  it('writes one event and its links in one transaction, the ids distinct in first-seen order, and answers the new event', async () => {
    const response = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([3, 1, 3]));
    expect(response).toMatchObject({ ID: 99, CreateBy: EMPLOYEE, Category: { ID: -2 }, Entity: { EntityId: 12 }, CanEdit: true });
    expect(response.Files.map((file) => file.ID)).toEqual([3, 1]);
    expect(response.Files[1]).toMatchObject({ CreatedBy: UPLOADER, UpdatedBy: EMPLOYEE });
    expect(files.readableByIdsStatement).toHaveBeenCalledWith(CALLER, [3, 1]);
    // The record and the files in one round trip, the record first; then one transaction.
    expect(reads).toEqual([['SELECT record', 'SELECT files']]);
    // The caller's Employee came with the key, the files' users with the files: no users query.
    expect(users.employeesByIds).not.toHaveBeenCalled();
    // Built from what was loaded for the checks: nothing is read back after the commit.
    expect(responses).not.toHaveBeenCalled();
    expect(batches.transaction).toHaveBeenCalledTimes(1);
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
    readsRecord(() => loaded({ ...RECORD, type: 'case', id: 4 }));
    await crmFiles.attach(CALLER, { type: 'case', id: 4 }, body([1]));
    expect(writes[0].values).toMatchObject([{ contact_id: null, entity_type: 'case', entity_id: 4 }]);
  });

  it('counts the limit on ids as sent, repeats included: 400 before the record is looked up', async () => {
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1, 1, 1, 1])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).extensions.errors).toEqual([
      { field: 'fileids', message: 'fileids must contain no more than 3 elements' },
    ]);
    expect(batches.read).not.toHaveBeenCalled();
  });

  it('judges a body naming another record (400) before the record (404)', async () => {
    readsRecord(() => {
      throw new NotFoundError('There is no contact with id 12.');
    });
    const error = await crmFiles
      .attach(CALLER, { type: 'contact', id: 12 }, body([1], { entityType: 'Case', entityid: 13 }))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).extensions.errors?.map((entry) => entry.field)).toEqual(['entityType', 'entityid']);
    expect(batches.read).not.toHaveBeenCalled();
  });

  it('accepts a body naming the same record in any letter case', async () => {
    await expect(
      crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1], { entityType: 'CONTACT', entityid: 12 })),
    ).resolves.toMatchObject({ ID: 99 });
  });

  it('answers the record 404 before anything the files would answer, and writes nothing', async () => {
    readsRecord(() => {
      throw new NotFoundError('There is no contact with id 12.');
    });
    readsFiles(() => fileRows([]));
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1]))).rejects.toThrow(NotFoundError);
    expect(batches.transaction).not.toHaveBeenCalled();
  });

  it('answers 404 listing every unreadable file, in request order, and opens no transaction', async () => {
    readsFiles(() => fileRows([2]));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([5, 2, 4])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FilesNotFoundError);
    expect((error as FilesNotFoundError).extensions.missingFileIds).toEqual([5, 4]);
    expect(batches.transaction).not.toHaveBeenCalled();
  });

  it('reports a file deleted between the check and the insert (foreign key) as missing', async () => {
    files.findReadableIds.mockResolvedValue(new Set([1]));
    batches.transaction.mockRejectedValue(Object.assign(new Error('FK'), { driverError: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } }));
    const error = await crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1, 2])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FilesNotFoundError);
    expect((error as FilesNotFoundError).extensions.missingFileIds).toEqual([2]);
  });

  it('lets any other failure of the transaction through unchanged', async () => {
    const failure = new Error('disk full');
    batches.transaction.mockRejectedValue(failure);
    await expect(crmFiles.attach(CALLER, { type: 'contact', id: 12 }, body([1]))).rejects.toBe(failure);
    expect(reads).toHaveLength(1);
    expect(files.findReadableIds).not.toHaveBeenCalled();
  });
});
