import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './support/fixtures.js';
import { historyRows } from './support/history-rows.js';
import { expectInvalidFields, expectProblem } from './support/problem.js';
import { testingOnS3 } from './support/s3-test-storage.js';
import { fileRows, filesUnder, multipartBody, readStored, sha256, type MultipartPart } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** SPEC §4.2: POST /api/2.0/crm/{entityType}/{entityid}/files/upload, multipart and raw, through the real application. */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_SUCH_ID = 2_147_483_647;
/** What every storage key looks like: tenant id, a three-digit shard, the file id. Nothing else. */
/** A content's storage key: tenant id, then (local disk: a three-digit fan-out, then) the file id. */
const STORAGE_KEY = testingOnS3() ? /^\d+\/\d+$/ : /^\d+\/\d{3}\/\d+$/;

describe('POST /api/2.0/crm/{entityType}/{entityid}/files/upload', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rows: ReturnType<typeof historyRows>;
  let files: ReturnType<typeof fileRows>;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
    rows = historyRows(t.dataSource);
    files = fileRows(t.dataSource);
  });
  afterAll(() => t?.close());

  const uploadPath = (type: string, id: number | string, query = '') => `/api/2.0/crm/${type}/${id}/files/upload${query}`;

  /** A new tenant with one user and one contact, in an app with its own limits. */
  const contactScene = async (app: TestApp) => {
    const fx = fixtures(app.app);
    const tenant = await fx.tenant();
    const caller = await fx.user(tenant.id);
    const contactId = await fx.contact(tenant.id);
    return { tenant, caller, path: (query = '') => uploadPath('contact', contactId, query) };
  };

  const uploadMultipart = (app: TestApp, apiKey: string, path: string, parts: MultipartPart[]) => {
    const { body, contentType } = multipartBody(parts);
    return app.http().post(path).set('Authorization', apiKey).set('Content-Type', contentType).send(body);
  };

  const uploadRaw = (app: TestApp, apiKey: string, path: string, content: Buffer | string, headers: Record<string, string>) => {
    let request = app.http().post(path).set('Authorization', apiKey);
    for (const [name, value] of Object.entries(headers)) request = request.set(name, value);
    return request.send(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  };

  /** A tenant with a caller who may read the contact: only what the test changes can fail. */
  const scene = async () => {
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id, { name: 'Uma Uploader' });
    const contactId = await f.contact(tenant.id);
    return { tenant, caller, contactId, path: (query = '') => uploadPath('contact', contactId, query) };
  };

  /** Runs a request that must fail and checks that no file row, no event and no stored content came of it. */
  const nothingKeptBy = async <T>(app: TestApp, tenantId: number, request: () => PromiseLike<T>): Promise<T> => {
    const filesBefore = await filesUnder(app.config.filesDir);
    const rowsBefore = await fileRows(app.dataSource).ofTenant(tenantId);
    const result = await historyRows(app.dataSource).unchangedBy([tenantId], request);
    expect(await fileRows(app.dataSource).ofTenant(tenantId)).toEqual(rowsBefore);
    expect(await filesUnder(app.config.filesDir)).toEqual(filesBefore);
    return result;
  };

  describe('multipart/form-data', () => {
    it('given one file part, the answer is 200 with its File, and its row records name, type, size and SHA-256', async () => {
      const { tenant, caller, path } = await scene();
      const employee = { Id: caller.id, DisplayName: 'Uma Uploader', Title: null, AvatarSmall: null, ProfileUrl: null };
      const content = 'Quarterly numbers\n';

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: 'report.txt', contentType: 'text/plain', content },
      ]);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json\b/);
      const id = response.body.ID;
      expect(response.body).toStrictEqual({
        ID: expect.any(Number),
        Name: 'report.txt',
        Location: `/api/2.0/crm/files/${id}/content`,
        Updated: expect.stringMatching(ISO_UTC),
        UpdatedBy: employee,
        Created: expect.stringMatching(ISO_UTC),
        CreatedBy: employee,
        ContentLength: Buffer.byteLength(content),
        ContentType: 'text/plain',
        FolderId: tenant.rootFolderId,
        Version: 1,
      });
      expect(await files.ofTenant(tenant.id)).toEqual([
        {
          id,
          tenantId: tenant.id,
          folderId: tenant.rootFolderId,
          name: 'report.txt',
          contentType: 'text/plain',
          contentLength: Buffer.byteLength(content),
          sha256: sha256(content),
          version: 1,
          createdBy: caller.id,
          updatedBy: caller.id,
        },
      ]);
      expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, id))).toString('utf8')).toBe(content);
    });

    it('given several file parts under any field names, every part is stored and the answer is the File of the last one', async () => {
      const { tenant, caller, path } = await scene();
      const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: 'first.txt', contentType: 'text/plain', content: 'one' },
        { field: 'comment', content: 'a plain form field, not a file' },
        { field: 'attachment[]', filename: 'second.csv', contentType: 'text/csv', content: 'a,b\n1,2\n' },
        { field: 'x', filename: 'third.bin', contentType: 'application/x-custom', content: binary },
      ]);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'third.bin', ContentType: 'application/x-custom', ContentLength: 256 });
      const stored = await files.ofTenant(tenant.id);
      expect(stored.map((row) => [row.name, row.contentType, row.contentLength, row.sha256])).toEqual([
        ['first.txt', 'text/plain', 3, sha256('one')],
        ['second.csv', 'text/csv', 8, sha256('a,b\n1,2\n')],
        ['third.bin', 'application/x-custom', 256, sha256(binary)],
      ]);
      expect(response.body.ID).toBe(stored[2].id);
      expect(await readStored(t.config.filesDir, t.storageKey(tenant.id, stored[2].id))).toEqual(binary);
      expect(await rows.counts(tenant.id), 'without attach=true nothing is attached').toEqual({ events: 0, links: 0 });
    });

    it('given a UTF-8 file name with non-ASCII characters, the name survives unchanged in the answer and the row', async () => {
      const { tenant, caller, path } = await scene();
      const name = 'Отчёт – café 日本語 😀.txt';

      const response = await uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename: name, contentType: 'text/plain', content: 'x' }]);

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(name);
      expect((await files.byId(response.body.ID))?.name).toBe(name);
    });

    it('given a part with its own content type, the type is kept as sent', async () => {
      const { caller, path } = await scene();

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: 'data.json', contentType: 'application/vnd.acme+json', content: '{}' },
      ]);

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe('application/vnd.acme+json');
      expect((await files.byId(response.body.ID))?.contentType).toBe('application/vnd.acme+json');
    });

    it('given a part without Content-Type, the file gets the multipart default, text/plain (RFC 7578 §4.4)', async () => {
      // The multipart parser applies RFC 7578's default and does not say whether the part had the header.
      const { caller, path } = await scene();

      const response = await uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename: 'notes', content: 'x' }]);

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe('text/plain');
      expect((await files.byId(response.body.ID))?.contentType).toBe('text/plain');
    });

    it('given an empty file part, an empty file is stored with size 0 and the SHA-256 of nothing', async () => {
      const { tenant, caller, path } = await scene();

      const response = await uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename: 'empty.txt', contentType: 'text/plain', content: '' }]);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'empty.txt', ContentLength: 0 });
      expect(await files.byId(response.body.ID)).toMatchObject({ contentLength: 0, sha256: sha256('') });
      expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, response.body.ID))).length).toBe(0);
    });

    it('given only plain form fields and no file part, the answer is 400 and nothing is kept', async () => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', content: 'not a file: no filename' }]),
      );

      expectProblem(response, 400);
    });

    it('given a file part with an empty file name, the answer is 400 and nothing is kept, not even the parts before it', async () => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(), [
          { field: 'good', filename: 'good.txt', contentType: 'text/plain', content: 'fine' },
          { field: 'bad', filename: '', contentType: 'text/plain', content: 'nameless' },
        ]),
      );

      expectProblem(response, 400);
    });

    it.each(['../', '..', 'folder/', '\u0001\u0002', '   '])('given a file name %j, empty once cleaned, the answer is 400 and nothing is kept', async (filename) => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename, contentType: 'text/plain', content: 'x' }]),
      );

      expectProblem(response, 400);
    });

    it('given a file part whose Content-Type is longer than 255 characters, the answer is 400 naming the part and nothing is kept', async () => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path('?attach=true'), [
          { field: 'good', filename: 'good.txt', contentType: 'text/plain', content: 'fine' },
          { field: 'odd', filename: 'odd.bin', contentType: `application/x-${'a'.repeat(242)}`, content: 'x' },
        ]),
      );

      const body = expectInvalidFields(response, 'odd');
      expect(body.errors?.find((error) => error.field === 'odd')?.message).toMatch(/Content-Type/);
    });

    it('given a malformed multipart body (no closing boundary), the answer is 400 and nothing is kept', async () => {
      const { tenant, caller, path } = await scene();
      const { body, contentType } = multipartBody([{ field: 'file', filename: 'cut.txt', contentType: 'text/plain', content: 'x'.repeat(100) }]);
      const cut = body.subarray(0, body.length - 30);

      const response = await nothingKeptBy(t, tenant.id, () =>
        t.http().post(path()).set('Authorization', caller.apiKey).set('Content-Type', contentType).send(cut),
      );

      expectProblem(response, 400);
    });
  });

  describe('raw body with Content-Disposition', () => {
    it('given filename="..." and a Content-Type, the body is stored under that name and type, with its size and SHA-256', async () => {
      const { tenant, caller, path } = await scene();
      const content = Buffer.from('%PDF-1.7 not really\n');

      const response = await uploadRaw(t, caller.apiKey, path(), content, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': 'attachment; filename="contract.pdf"',
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'contract.pdf', ContentType: 'application/pdf', ContentLength: content.length, FolderId: tenant.rootFolderId });
      expect(await files.byId(response.body.ID)).toMatchObject({ name: 'contract.pdf', contentType: 'application/pdf', contentLength: content.length, sha256: sha256(content) });
      expect(await readStored(t.config.filesDir, t.storageKey(tenant.id, response.body.ID))).toEqual(content);
    });

    it("given filename*=UTF-8''..., the percent-encoded UTF-8 name is decoded", async () => {
      const { caller, path } = await scene();
      const name = 'Überweisung März 2026 (€).txt';

      const response = await uploadRaw(t, caller.apiKey, path(), 'x', {
        'Content-Type': 'text/plain',
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(name);
      expect((await files.byId(response.body.ID))?.name).toBe(name);
    });

    it('given both filename and filename*, filename* wins', async () => {
      const { caller, path } = await scene();

      const response = await uploadRaw(t, caller.apiKey, path(), 'x', {
        'Content-Type': 'text/plain',
        'Content-Disposition': `attachment; filename="fallback.txt"; filename*=UTF-8''na%C3%AFve.txt`,
      });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('naïve.txt');
    });

    it('given a Content-Type with parameters, it is kept as sent', async () => {
      const { caller, path } = await scene();

      const response = await uploadRaw(t, caller.apiKey, path(), 'a;b\n', {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="table.csv"',
      });

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe('text/csv; charset=utf-8');
    });

    it('given a JSON file as the raw body, it is stored as a file, not parsed', async () => {
      const { tenant, caller, path } = await scene();
      const content = '{"not": "parsed", "__proto__": {}}';

      // Sent as a string: superagent would serialize a Buffer to JSON for this content type.
      const response = await t
        .http()
        .post(path())
        .set('Authorization', caller.apiKey)
        .set('Content-Type', 'application/json')
        .set('Content-Disposition', 'attachment; filename="settings.json"')
        .send(content);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'settings.json', ContentType: 'application/json' });
      expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, response.body.ID))).toString('utf8')).toBe(content);
    });

    it('given no Content-Type, the file is application/octet-stream', async () => {
      const { caller, path } = await scene();

      const response = await uploadRaw(t, caller.apiKey, path(), Buffer.from([0, 1, 2]), { 'Content-Disposition': 'attachment; filename="blob"' });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'blob', ContentType: 'application/octet-stream', ContentLength: 3 });
    });

    it('given an empty body, an empty file is stored', async () => {
      const { tenant, caller, path } = await scene();

      const response = await uploadRaw(t, caller.apiKey, path(), Buffer.alloc(0), {
        'Content-Type': 'text/plain',
        'Content-Disposition': 'attachment; filename="nothing.txt"',
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'nothing.txt', ContentLength: 0 });
      expect(await files.byId(response.body.ID)).toMatchObject({ contentLength: 0, sha256: sha256('') });
      expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, response.body.ID))).length).toBe(0);
    });

    it.each([
      { name: 'no Content-Disposition', headers: { 'Content-Type': 'text/plain' } },
      { name: 'Content-Disposition without a filename', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment' } },
      { name: 'an empty filename', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename=""' } },
      { name: 'a filename that is only a directory', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename="../../"' } },
      { name: 'a filename of control characters', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': "attachment; filename*=UTF-8''%01%02%7F" } },
    ] as { name: string; headers: Record<string, string> }[])('given $name, the answer is 400 and nothing is kept', async ({ headers }) => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () => uploadRaw(t, caller.apiKey, path(), 'content', headers));

      expectProblem(response, 400);
    });

    it('given a Content-Type of exactly 255 characters, it is kept as sent', async () => {
      const { caller, path } = await scene();
      const contentType = `application/x-${'a'.repeat(241)}`;
      expect(contentType).toHaveLength(255);

      const response = await uploadRaw(t, caller.apiKey, path(), 'x', { 'Content-Type': contentType, 'Content-Disposition': 'attachment; filename="long-type.bin"' });

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe(contentType);
      expect((await files.byId(response.body.ID))?.contentType).toBe(contentType);
    });

    it('given a Content-Type longer than 255 characters, the answer is 400 naming Content-Type and nothing is kept', async () => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadRaw(t, caller.apiKey, path('?attach=true'), 'x', {
          'Content-Type': `application/x-${'a'.repeat(242)}`,
          'Content-Disposition': 'attachment; filename="too-long-type.bin"',
        }),
      );

      expectInvalidFields(response, 'Content-Type');
    });
  });

  describe('file names are cleaned and never become storage paths', () => {
    it.each([
      { sent: '../../etc/passwd', kept: 'passwd' },
      { sent: '/var/tmp/evil.sh', kept: 'evil.sh' },
      { sent: 'C:\\Users\\me\\Desktop\\budget.xlsx', kept: 'budget.xlsx' },
      { sent: 'reports/2026/q1.txt', kept: 'q1.txt' },
      { sent: 'tab\there\u0007.txt', kept: 'tabhere.txt' },
    ])('given the name $sent, the file is named $kept and stored under its id only', async ({ sent, kept }) => {
      const { tenant, caller, path } = await scene();
      const before = await filesUnder(t.config.filesDir);

      const response = await uploadRaw(t, caller.apiKey, path(), 'payload', {
        'Content-Type': 'text/plain',
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(sent)}`,
      });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(kept);
      expect((await files.byId(response.body.ID))?.name).toBe(kept);
      const added = (await filesUnder(t.config.filesDir)).filter((entry) => !before.includes(entry));
      expect(added).toEqual([t.storageKey(tenant.id, response.body.ID)]);
      expect(added[0]).toMatch(STORAGE_KEY);
      expect(added[0]).not.toContain(kept);
    });

    it('given a name longer than 255 characters, the first 255 characters are kept', async () => {
      const { caller, path } = await scene();
      const long = `${'é'.repeat(300)}.txt`;

      const response = await uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename: long, contentType: 'text/plain', content: 'x' }]);

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('é'.repeat(255));
      expect((await files.byId(response.body.ID))?.name).toBe('é'.repeat(255));
    });

    it('a storage key is made of the tenant id and file id only, whatever the file is called', async () => {
      const { tenant, caller, path } = await scene();
      const names = ['secret-plan.txt', '..%2F..%2Fescape', 'name with spaces.doc', '日本.txt'];
      const before = await filesUnder(t.config.filesDir);

      const ids: number[] = [];
      for (const name of names) {
        const response = await uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename: name, contentType: 'text/plain', content: name }]);
        expect(response.status).toBe(200);
        ids.push(response.body.ID);
      }

      const added = (await filesUnder(t.config.filesDir)).filter((entry) => !before.includes(entry));
      expect(added.sort()).toEqual(ids.map((id) => t.storageKey(tenant.id, id)).sort());
      for (const key of added) {
        expect(key).toMatch(STORAGE_KEY);
        for (const name of names) expect(key).not.toContain(name);
      }
      for (const id of [1, 7, 999, 1000, 123_456, 2_147_483_647]) {
        const expected = testingOnS3() ? `${tenant.id}/${id}` : `${tenant.id}/${String(id % 1000).padStart(3, '0')}/${id}`;
        expect(t.storageKey(tenant.id, id)).toBe(expected);
      }
    });
  });

  describe('the record is checked before any byte is stored', () => {
    it.each([
      { name: 'a missing contact', target: () => uploadPath('contact', NO_SUCH_ID) },
      { name: 'a missing case', target: () => uploadPath('case', NO_SUCH_ID) },
    ])('given $name, the answer is 404 and nothing is stored', async ({ target }) => {
      const { tenant, caller } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, target(), [{ field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' }]),
      );

      expectProblem(response, 404);
    });

    it('given a private contact the caller is not listed on, the answer is 404 and nothing is stored', async () => {
      const [demo] = await f.demo();

      const response = await nothingKeptBy(t, demo.id, () =>
        uploadRaw(t, demo.users.outsider.apiKey, uploadPath('contact', demo.contacts.privatePerson, '?attach=true'), 'x', {
          'Content-Type': 'text/plain',
          'Content-Disposition': 'attachment; filename="sneaky.txt"',
        }),
      );

      expectProblem(response, 404);
    });

    it('given a private opportunity of the caller\'s tenant, an outsider gets 404 and nothing is stored', async () => {
      const [demo] = await f.demo();

      const response = await nothingKeptBy(t, demo.id, () =>
        uploadMultipart(t, demo.users.outsider.apiKey, uploadPath('opportunity', demo.opportunities.private), [
          { field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' },
        ]),
      );

      expectProblem(response, 404);
    });

    it("given another tenant's contact, the answer is 404 and nothing is stored in either tenant", async () => {
      const [demo, other] = await f.demo();

      const response = await nothingKeptBy(t, other.id, () =>
        nothingKeptBy(t, demo.id, () =>
          uploadMultipart(t, demo.users.admin.apiKey, uploadPath('contact', other.contacts.person), [
            { field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' },
          ]),
        ),
      );

      expectProblem(response, 404);
    });

    it('given a missing record and an invalid attach flag, the form is judged first: 400', async () => {
      const { tenant, caller } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, uploadPath('contact', NO_SUCH_ID, '?attach=maybe'), [
          { field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' },
        ]),
      );

      expectInvalidFields(response, 'attach');
    });

    it.each([
      { name: 'no Content-Disposition', headers: { 'Content-Type': 'text/plain' }, field: 'Content-Disposition' },
      { name: 'a filename empty once cleaned', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename="../"' }, field: 'Content-Disposition' },
      {
        name: 'a Content-Type over 255 characters',
        headers: { 'Content-Type': `text/${'x'.repeat(260)}`, 'Content-Disposition': 'attachment; filename="a.txt"' },
        field: 'Content-Type',
      },
    ] as { name: string; headers: Record<string, string>; field: string }[])(
      'given a raw body with $name on a missing record, the headers are judged first: 400 naming $field',
      async ({ headers, field }) => {
        const { tenant, caller } = await scene();

        const response = await nothingKeptBy(t, tenant.id, () => uploadRaw(t, caller.apiKey, uploadPath('contact', NO_SUCH_ID, '?attach=true'), 'x', headers));

        expectInvalidFields(response, field);
      },
    );

    it('given a multipart part without a file name on a missing record, the record is judged first: 404', async () => {
      const { tenant, caller } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, uploadPath('contact', NO_SUCH_ID), [{ field: 'file', filename: '', contentType: 'text/plain', content: 'x' }]),
      );

      expectProblem(response, 404);
    });

    it('given no API key, the answer is 401 and nothing is stored', async () => {
      const { tenant, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        t.http().post(path()).set('Content-Type', 'text/plain').set('Content-Disposition', 'attachment; filename="a.txt"').send(Buffer.from('x')),
      );

      expectProblem(response, 401);
    });

    it.each(['lead', '0', 'abc'])('given a malformed path part %j, the answer is 400 and nothing is stored', async (bad) => {
      const { tenant, caller, contactId } = await scene();
      const path = bad === 'lead' ? uploadPath('lead', contactId) : uploadPath('contact', bad);

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path, [{ field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' }]),
      );

      expectProblem(response, 400);
    });
  });

  describe('?attach', () => {
    it('given attach=true and several files, all of them are attached to the record in one event, in upload order', async () => {
      const { tenant, caller, contactId, path } = await scene();

      const response = await uploadMultipart(t, caller.apiKey, path('?attach=true'), [
        { field: 'a', filename: 'one.txt', contentType: 'text/plain', content: '1' },
        { field: 'b', filename: 'two.txt', contentType: 'text/plain', content: '2' },
        { field: 'c', filename: 'three.txt', contentType: 'text/plain', content: '3' },
      ]);

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('three.txt');
      const stored = await files.ofTenant(tenant.id);
      expect(stored.map((row) => row.name)).toEqual(['one.txt', 'two.txt', 'three.txt']);
      const events = await rows.events(tenant.id);
      expect(events).toEqual([
        { id: expect.any(Number), categoryId: -2, content: 'Files are uploaded', contactId, entityType: null, entityId: null, createdBy: caller.id },
      ]);
      expect(await rows.links(tenant.id)).toEqual(stored.map((row, position) => ({ eventId: events[0].id, fileId: row.id, position })));
    });

    it('given attach=true on a case, the event carries the case', async () => {
      const [demo] = await f.demo();

      const response = await uploadRaw(t, demo.users.member.apiKey, uploadPath('Case', demo.cases.private, '?attach=true'), 'x', {
        'Content-Type': 'text/plain',
        'Content-Disposition': 'attachment; filename="evidence.txt"',
      });

      expect(response.status).toBe(200);
      expect(await rows.events(demo.id)).toEqual([
        {
          id: expect.any(Number),
          categoryId: -2,
          content: 'Files are uploaded',
          contactId: null,
          entityType: 'case',
          entityId: demo.cases.private,
          createdBy: demo.users.member.id,
        },
      ]);
      expect((await rows.links(demo.id)).map((link) => link.fileId)).toEqual([response.body.ID]);
    });

    it('given attach=false, the files are stored and nothing is attached', async () => {
      const { tenant, caller, path } = await scene();

      const response = await uploadMultipart(t, caller.apiKey, path('?attach=false'), [
        { field: 'file', filename: 'loose.txt', contentType: 'text/plain', content: 'x' },
      ]);

      expect(response.status).toBe(200);
      expect(await files.ofTenant(tenant.id)).toHaveLength(1);
      expect(await rows.counts(tenant.id)).toEqual({ events: 0, links: 0 });
    });

    it.each(['maybe', 'TRUE', '1', 'yes', ''])('given attach=%j, the answer is 400 naming attach and nothing is kept', async (value) => {
      const { tenant, caller, path } = await scene();

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(`?attach=${value}`), [{ field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' }]),
      );

      expectInvalidFields(response, 'attach');
    });
  });

  describe('MAX_UPLOAD_BYTES', () => {
    const LIMIT = 1024;
    let small: TestApp;
    beforeAll(async () => {
      small = await startTestApp({ maxUploadBytes: LIMIT });
    });
    afterAll(() => small?.close());

    const smallScene = () => contactScene(small);

    it('given a raw file of exactly MAX_UPLOAD_BYTES, it is accepted', async () => {
      const { tenant, caller, path } = await smallScene();

      const response = await uploadRaw(small, caller.apiKey, path(), Buffer.alloc(LIMIT, 7), {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': 'attachment; filename="exact.bin"',
      });

      expect(response.status).toBe(200);
      expect(response.body.ContentLength).toBe(LIMIT);
      expect(await fileRows(small.dataSource).ofTenant(tenant.id)).toHaveLength(1);
    });

    it('given a raw file one byte over MAX_UPLOAD_BYTES, the answer is 413 and no row or content is kept', async () => {
      const { tenant, caller, path } = await smallScene();

      const response = await nothingKeptBy(small, tenant.id, () =>
        uploadRaw(small, caller.apiKey, path('?attach=true'), Buffer.alloc(LIMIT + 1, 7), {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': 'attachment; filename="big.bin"',
        }),
      );

      expectProblem(response, 413);
      const left = await filesUnder(small.config.filesDir);
      expect(left.filter((entry) => entry.startsWith('staging') || entry.endsWith('.partial')), 'no staging or partial file is left').toEqual([]);
    });

    it('given a raw file whose Content-Length is over the limit on a missing record, the headers are judged first: 413', async () => {
      const { tenant, caller } = await smallScene();

      const response = await nothingKeptBy(small, tenant.id, () =>
        uploadRaw(small, caller.apiKey, uploadPath('contact', NO_SUCH_ID), Buffer.alloc(LIMIT + 1, 7), {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': 'attachment; filename="big.bin"',
        }),
      );

      expectProblem(response, 413);
    });

    it('given a multipart file over the limit on a missing record, the record is judged first: 404', async () => {
      const { tenant, caller } = await smallScene();

      const response = await nothingKeptBy(small, tenant.id, () =>
        uploadMultipart(small, caller.apiKey, uploadPath('contact', NO_SUCH_ID), [{ field: 'file', filename: 'big.bin', content: Buffer.alloc(LIMIT + 1, 1) }]),
      );

      expectProblem(response, 404);
    });

    it('given a raw file over the limit sent chunked (no Content-Length), the answer is 413 and nothing is kept', async () => {
      const { tenant, caller, path } = await smallScene();
      const server = small.app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;

      const status = await nothingKeptBy(small, tenant.id, () =>
        new Promise<number>((resolve, reject) => {
          const request = httpRequest(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: path(),
              headers: {
                Authorization: caller.apiKey,
                'Content-Type': 'application/octet-stream',
                'Content-Disposition': 'attachment; filename="streamed.bin"',
                'Transfer-Encoding': 'chunked',
              },
            },
            (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode ?? 0));
            },
          );
          request.on('error', reject);
          for (let i = 0; i < 4; i++) request.write(Buffer.alloc(512, i));
          request.end();
        }),
      );

      expect(status).toBe(413);
      const left = await filesUnder(small.config.filesDir);
      expect(left.filter((entry) => entry.startsWith('staging') || entry.endsWith('.partial'))).toEqual([]);
    });

    it('given a multipart upload whose second file is over the limit, the answer is 413 and the first file is not kept either', async () => {
      const { tenant, caller, path } = await smallScene();

      const response = await nothingKeptBy(small, tenant.id, () =>
        uploadMultipart(small, caller.apiKey, path('?attach=true'), [
          { field: 'small', filename: 'small.txt', contentType: 'text/plain', content: 'fits' },
          { field: 'big', filename: 'big.bin', contentType: 'application/octet-stream', content: Buffer.alloc(LIMIT + 1, 1) },
        ]),
      );

      expectProblem(response, 413);
      const left = await filesUnder(small.config.filesDir);
      expect(left.filter((entry) => entry.startsWith('staging') || entry.endsWith('.partial'))).toEqual([]);
    });

    it('given a multipart file far over the limit, the answer is 413 and nothing is kept', async () => {
      const { tenant, caller, path } = await smallScene();

      const response = await nothingKeptBy(small, tenant.id, () =>
        uploadMultipart(small, caller.apiKey, path(), [{ field: 'file', filename: 'huge.bin', content: Buffer.alloc(LIMIT * 64, 1) }]),
      );

      expectProblem(response, 413);
    });

    it('given a multipart file of exactly the limit, it is accepted', async () => {
      const { caller, path } = await smallScene();

      const response = await uploadMultipart(small, caller.apiKey, path(), [{ field: 'file', filename: 'exact.bin', content: Buffer.alloc(LIMIT, 1) }]);

      expect(response.status).toBe(200);
      expect(response.body.ContentLength).toBe(LIMIT);
    });
  });

  describe('MAX_FILE_IDS with ?attach=true', () => {
    const MAX = 2;
    let few: TestApp;
    beforeAll(async () => {
      few = await startTestApp({ maxFileIds: MAX });
    });
    afterAll(() => few?.close());

    const fewScene = () => contactScene(few);
    const parts = (count: number): MultipartPart[] =>
      Array.from({ length: count }, (_, i) => ({ field: `f${i}`, filename: `part-${i}.txt`, contentType: 'text/plain', content: String(i) }));

    it('given attach=true and more file parts than MAX_FILE_IDS, the answer is 400 naming MAX_FILE_IDS and nothing is kept', async () => {
      const { tenant, caller, path } = await fewScene();

      const response = await nothingKeptBy(few, tenant.id, () => uploadMultipart(few, caller.apiKey, path('?attach=true'), parts(MAX + 1)));

      const body = expectInvalidFields(response, 'attach');
      expect(`${body.detail} ${body.errors?.[0].message}`).toMatch(/MAX_FILE_IDS/);
      const left = await filesUnder(few.config.filesDir);
      expect(left.filter((entry) => entry.startsWith('staging') || entry.endsWith('.partial'))).toEqual([]);
    });

    it('given attach=true and exactly MAX_FILE_IDS file parts, all are stored and attached in one event', async () => {
      const { tenant, caller, path } = await fewScene();

      const response = await uploadMultipart(few, caller.apiKey, path('?attach=true'), parts(MAX));

      expect(response.status).toBe(200);
      expect(await fileRows(few.dataSource).ofTenant(tenant.id)).toHaveLength(MAX);
      expect(await historyRows(few.dataSource).counts(tenant.id)).toEqual({ events: 1, links: MAX });
    });

    it('given attach=false, more file parts than MAX_FILE_IDS are fine: nothing is attached', async () => {
      const { tenant, caller, path } = await fewScene();

      const response = await uploadMultipart(few, caller.apiKey, path(), parts(MAX + 1));

      expect(response.status).toBe(200);
      expect(await fileRows(few.dataSource).ofTenant(tenant.id)).toHaveLength(MAX + 1);
    });
  });

  describe('concurrency', () => {
    it('given 12 uploads with attach=true at once, every file, event and link is written exactly once', async () => {
      const { tenant, caller, contactId, path } = await scene();
      const names = Array.from({ length: 12 }, (_, i) => `parallel-${i}.txt`);

      const responses = await Promise.all(
        names.map((name) => uploadMultipart(t, caller.apiKey, path('?attach=true'), [{ field: 'file', filename: name, contentType: 'text/plain', content: name }])),
      );

      expect(responses.map((response) => response.status)).toEqual(names.map(() => 200));
      const ids = responses.map((response) => response.body.ID as number);
      expect(new Set(ids).size).toBe(12);
      const stored = await files.ofTenant(tenant.id);
      expect(stored.map((row) => row.name).sort()).toEqual([...names].sort());
      expect(stored.map((row) => row.id).sort()).toEqual([...ids].sort());
      for (const row of stored) {
        expect(row.sha256).toBe(sha256(row.name));
        expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, row.id))).toString('utf8')).toBe(row.name);
      }
      const events = await rows.events(tenant.id);
      expect(events).toHaveLength(12);
      expect(events.every((event) => event.contactId === contactId && event.categoryId === -2)).toBe(true);
      const links = await rows.links(tenant.id);
      expect(links.map((link) => link.fileId).sort()).toEqual([...ids].sort());
      expect(new Set(links.map((link) => link.eventId)).size).toBe(12);
    });
  });
});
