import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShareType } from '../src/records/entities/share-type.js';
import { fixtures } from './support/fixtures.js';
import { historyRows } from './support/history-rows.js';
import { expectInvalidFields, expectProblem } from './support/problem.js';
import { fileRows, filesUnder, readStored, sha256, storedExists } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** SPEC §4.2: the files of a record, text files, the root folder and deleting a file. */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_SUCH_ID = 2_147_483_647;

describe('the other Files endpoints', () => {
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

  const attach = async (apiKey: string, type: string, id: number, fileids: number[]) => {
    const response = await t.http().post(`/api/2.0/crm/${type}/${id}/files`).set('Authorization', apiKey).send({ fileids });
    expect(response.status).toBe(200);
    return response.body.ID as number;
  };

  const ids = (body: { ID: number }[]) => body.map((file) => file.ID);

  describe('GET /{entityType}/{entityid}/files', () => {
    const list = (apiKey: string, type: string, id: number | string, query = '') =>
      t.http().get(`/api/2.0/crm/${type}/${id}/files${query}`).set('Authorization', apiKey);

    it('given files attached over several events, each file is listed once, by its newest link first, then by file id descending', async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);
      const otherContact = await f.contact(tenant.id);
      const [a, b, c, d, e] = await f.files(user, 5);
      await attach(user.apiKey, 'contact', contactId, [a, b]);
      await attach(user.apiKey, 'contact', contactId, [c]);
      await attach(user.apiKey, 'contact', contactId, [a, d]);
      await attach(user.apiKey, 'contact', otherContact, [e, b]);

      const response = await list(user.apiKey, 'contact', contactId);

      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('4');
      // a and d share the newest link: d (the higher id) first; then c; then b (whose newer link is on another contact).
      expect(ids(response.body)).toEqual([d, a, c, b]);
    });

    it('given an attached file, it is listed as a whole File object', async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id, { name: 'Lia Lister' });
      const contactId = await f.contact(tenant.id);
      const fileId = await f.file(user, 'agenda.txt', 'hello');
      await attach(user.apiKey, 'contact', contactId, [fileId]);
      const employee = { Id: user.id, DisplayName: 'Lia Lister', Title: null, AvatarSmall: null, ProfileUrl: null };

      const response = await list(user.apiKey, 'contact', contactId);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json\b/);
      expect(response.body).toStrictEqual([
        {
          ID: fileId,
          Name: 'agenda.txt',
          Location: `/api/2.0/crm/files/${fileId}/content`,
          Updated: expect.stringMatching(ISO_UTC),
          UpdatedBy: employee,
          Created: expect.stringMatching(ISO_UTC),
          CreatedBy: employee,
          ContentLength: 5,
          ContentType: 'text/plain',
          FolderId: tenant.rootFolderId,
          Version: 1,
        },
      ]);
    });

    it.each(['opportunity', 'case'] as const)('given a %s, its files are listed, and those of the other record type with the same id are not', async (type) => {
      const [demo] = await f.demo();
      const recordId = type === 'opportunity' ? demo.opportunities.public : demo.cases.public;
      const [m1, m2, m3] = demo.files.member;
      await attach(demo.users.member.apiKey, type, recordId, [m1, m2]);
      await attach(demo.users.member.apiKey, type === 'opportunity' ? 'case' : 'opportunity', type === 'opportunity' ? demo.cases.public : demo.opportunities.public, [m3]);

      const response = await list(demo.users.member.apiKey, type.toUpperCase(), recordId);

      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('2');
      expect(ids(response.body)).toEqual([m2, m1]);
    });

    it('given a record with no files, the answer is an empty list with X-Total-Count 0', async () => {
      const [demo] = await f.demo();

      const response = await list(demo.users.outsider.apiKey, 'contact', demo.contacts.company);

      expect(response.status).toBe(200);
      expect(response.body).toEqual([]);
      expect(response.headers['x-total-count']).toBe('0');
    });

    it('given startIndex and count, that page is answered and X-Total-Count counts every file', async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);
      const fileIds = await f.files(user, 7);
      await attach(user.apiKey, 'contact', contactId, fileIds);
      const expected = [...fileIds].sort((x, y) => y - x);

      const first = await list(user.apiKey, 'contact', contactId, '?count=3');
      const middle = await list(user.apiKey, 'contact', contactId, '?startIndex=3&count=3');
      const last = await list(user.apiKey, 'contact', contactId, '?startIndex=6&count=3');
      const beyond = await list(user.apiKey, 'contact', contactId, '?startIndex=7&count=1000');
      const all = await list(user.apiKey, 'contact', contactId, '?startIndex=0');

      expect([first, middle, last, beyond, all].map((response) => [response.status, response.headers['x-total-count']])).toEqual(
        Array.from({ length: 5 }, () => [200, '7']),
      );
      expect(ids(first.body)).toEqual(expected.slice(0, 3));
      expect(ids(middle.body)).toEqual(expected.slice(3, 6));
      expect(ids(last.body)).toEqual(expected.slice(6));
      expect(beyond.body).toEqual([]);
      expect(ids(all.body)).toEqual(expected);
    });

    it.each(['count=0', 'count=1001', 'startIndex=-1', 'count=abc', 'startIndex=1.5', 'count=', 'count=1&count=2'])(
      'given the paging %s, the answer is 400',
      async (query) => {
        const [demo] = await f.demo();

        const response = await list(demo.users.admin.apiKey, 'contact', demo.contacts.person, `?${query}`);

        expectInvalidFields(response, query.startsWith('count') ? 'count' : 'startIndex');
      },
    );

    it.each([
      { name: "an outsider on the member's private contact", record: 'contact', pick: 'privatePerson' },
      { name: 'an outsider on a private opportunity', record: 'opportunity', pick: 'private' },
      { name: 'an outsider on a private case', record: 'case', pick: 'private' },
    ])('given $name, the answer is 404, as for a missing record', async ({ record, pick }) => {
      const [demo] = await f.demo();
      const bag = record === 'contact' ? demo.contacts : record === 'opportunity' ? demo.opportunities : demo.cases;
      const recordId = (bag as Record<string, number>)[pick];
      await attach(demo.users.member.apiKey, record, recordId, demo.files.member);

      const response = await list(demo.users.outsider.apiKey, record, recordId);
      const member = await list(demo.users.member.apiKey, record, recordId);

      expectProblem(response, 404);
      expect(response.headers['x-total-count']).toBeUndefined();
      expect(member.status).toBe(200);
      expect(member.headers['x-total-count']).toBe('3');
    });

    it("given a missing record or another tenant's record, the answer is 404", async () => {
      const [demo, other] = await f.demo();

      expectProblem(await list(demo.users.admin.apiKey, 'contact', NO_SUCH_ID), 404);
      expectProblem(await list(demo.users.admin.apiKey, 'case', other.cases.public), 404);
    });
  });

  describe('POST /{entityType}/{entityid}/files/text', () => {
    const createText = (apiKey: string, type: string, id: number | string, body: unknown) =>
      t.http().post(`/api/2.0/crm/${type}/${id}/files/text`).set('Authorization', apiKey).send(body as object);

    it('given plain text, a .txt file is made with the content, attached to the record in one event of category -2', async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id, { name: 'Tom Texter' });
      const contactId = await f.contact(tenant.id);
      const content = 'Called Grace: agreed on 5 < 7 and 8 > 3. Ünïcødé ✓';
      const employee = { Id: user.id, DisplayName: 'Tom Texter', Title: null, AvatarSmall: null, ProfileUrl: null };

      const response = await createText(user.apiKey, 'contact', contactId, { title: 'Call notes', content });

      expect(response.status).toBe(200);
      const id = response.body.ID;
      expect(response.body).toStrictEqual({
        ID: expect.any(Number),
        Name: 'Call notes.txt',
        Location: `/api/2.0/crm/files/${id}/content`,
        Updated: expect.stringMatching(ISO_UTC),
        UpdatedBy: employee,
        Created: expect.stringMatching(ISO_UTC),
        CreatedBy: employee,
        ContentLength: Buffer.byteLength(content, 'utf8'),
        ContentType: 'text/plain; charset=utf-8',
        FolderId: tenant.rootFolderId,
        Version: 1,
      });
      expect(await files.byId(id)).toMatchObject({ name: 'Call notes.txt', contentType: 'text/plain; charset=utf-8', sha256: sha256(content) });
      expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, id))).toString('utf8')).toBe(content);
      const events = await rows.events(tenant.id);
      expect(events).toEqual([
        { id: expect.any(Number), categoryId: -2, content: 'Files are uploaded', contactId, entityType: null, entityId: null, createdBy: user.id },
      ]);
      expect(await rows.links(tenant.id)).toEqual([{ eventId: events[0].id, fileId: id, position: 0 }]);
    });

    it.each([
      { content: '<p>Agreed.</p>', name: 'Minutes.html', type: 'text/html; charset=utf-8' },
      { content: 'Please see <b class="x">this</b>', name: 'Minutes.html', type: 'text/html; charset=utf-8' },
      { content: 'line one<br/>line two', name: 'Minutes.html', type: 'text/html; charset=utf-8' },
      { content: 'no tags, just 1 < 2', name: 'Minutes.txt', type: 'text/plain; charset=utf-8' },
      { content: 'a <> b, and <<>>', name: 'Minutes.txt', type: 'text/plain; charset=utf-8' },
      { content: '', name: 'Minutes.txt', type: 'text/plain; charset=utf-8' },
    ])('given the content $content, the file is $name ($type)', async ({ content, name, type }) => {
      const [demo] = await f.demo();

      const response = await createText(demo.users.member.apiKey, 'opportunity', demo.opportunities.public, { title: 'Minutes', content });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: name, ContentType: type, ContentLength: Buffer.byteLength(content) });
      expect(await files.byId(response.body.ID)).toMatchObject({ name, contentType: type });
    });

    it.each([
      { title: 'Notes.TXT', content: 'plain', name: 'Notes.TXT' },
      { title: 'notes.txt', content: 'plain', name: 'notes.txt' },
      { title: 'Page.Html', content: '<p>x</p>', name: 'Page.Html' },
      { title: 'notes.txt', content: '<p>x</p>', name: 'notes.txt.html' },
      { title: 'page.html', content: 'plain', name: 'page.html.txt' },
    ])('given the title $title and content $content, the name is $name', async ({ title, content, name }) => {
      const [demo] = await f.demo();

      const response = await createText(demo.users.member.apiKey, 'contact', demo.contacts.person, { title, content });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(name);
    });

    it.each([
      { title: 'a'.repeat(300), content: 'plain', name: `${'a'.repeat(251)}.txt` },
      { title: 'é'.repeat(300), content: '<p>x</p>', name: `${'é'.repeat(250)}.html` },
      { title: '😀'.repeat(300), content: 'plain', name: `${'😀'.repeat(251)}.txt` },
      { title: `${'b'.repeat(296)}.txt`, content: 'plain', name: `${'b'.repeat(251)}.txt` },
      { title: `${'c'.repeat(251)}.TXT`, content: 'plain', name: `${'c'.repeat(251)}.TXT` },
      { title: 'd'.repeat(251), content: 'plain', name: `${'d'.repeat(251)}.txt` },
      { title: `${'e'.repeat(250)} ${'f'.repeat(40)}`, content: 'plain', name: `${'e'.repeat(250)}.txt` },
    ])('given a long title ($title.length characters), the name keeps its extension within 255 characters', async ({ title, content, name }) => {
      const [demo] = await f.demo();

      const response = await createText(demo.users.member.apiKey, 'contact', demo.contacts.person, { title, content });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(name);
      expect([...response.body.Name].length).toBeLessThanOrEqual(255);
      expect((await files.byId(response.body.ID))?.name).toBe(name);
    });

    it('given a title with a directory part, it is cleaned like an upload name', async () => {
      const [demo] = await f.demo();

      const response = await createText(demo.users.member.apiKey, 'contact', demo.contacts.person, { title: '../../secret/Plan', content: 'x' });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('Plan.txt');
    });

    it('given a case, the event carries the case', async () => {
      const [demo] = await f.demo();

      const response = await createText(demo.users.member.apiKey, 'case', demo.cases.private, { title: 'Evidence', content: 'x' });

      expect(response.status).toBe(200);
      expect(await rows.events(demo.id)).toEqual([
        { id: expect.any(Number), categoryId: -2, content: 'Files are uploaded', contactId: null, entityType: 'case', entityId: demo.cases.private, createdBy: demo.users.member.id },
      ]);
      expect((await rows.links(demo.id)).map((link) => link.fileId)).toEqual([response.body.ID]);
    });

    /** Runs a request that must fail and checks that no file row, content, event or link came of it. */
    const nothingWrittenBy = async <T>(tenantId: number, request: () => PromiseLike<T>) => {
      const filesBefore = await filesUnder(t.config.filesDir);
      const rowsBefore = await files.ofTenant(tenantId);
      const result = await rows.unchangedBy([tenantId], request);
      expect(await files.ofTenant(tenantId)).toEqual(rowsBefore);
      expect(await filesUnder(t.config.filesDir)).toEqual(filesBefore);
      return result;
    };

    it.each([
      { name: 'an empty title', body: { title: '', content: 'x' }, field: 'title' },
      { name: 'a title of spaces', body: { title: '   ', content: 'x' }, field: 'title' },
      { name: 'a title that is only a directory', body: { title: '../', content: 'x' }, field: 'title' },
      { name: 'a title of control characters', body: { title: '\u0001\u0002', content: 'x' }, field: 'title' },
      { name: 'no title', body: { content: 'x' }, field: 'title' },
      { name: 'a title that is a number', body: { title: 7, content: 'x' }, field: 'title' },
      { name: 'no content', body: { title: 'T' }, field: 'content' },
      { name: 'content null', body: { title: 'T', content: null }, field: 'content' },
      { name: 'an unknown property', body: { title: 'T', content: 'x', folderId: 1 }, field: 'folderId' },
    ])('given $name, the answer is 400 naming $field and nothing is written', async ({ body, field }) => {
      const [demo] = await f.demo();

      const response = await nothingWrittenBy(demo.id, () => createText(demo.users.member.apiKey, 'contact', demo.contacts.person, body));

      expectInvalidFields(response, field);
    });

    it('given a text body that is not JSON, the answer is 415 and nothing is written', async () => {
      const [demo] = await f.demo();

      const response = await nothingWrittenBy(demo.id, () =>
        t.http().post(`/api/2.0/crm/contact/${demo.contacts.person}/files/text`).set('Authorization', demo.users.member.apiKey).set('Content-Type', 'text/plain').send('hello'),
      );

      expectProblem(response, 415);
    });

    describe('MAX_UPLOAD_BYTES', () => {
      const LIMIT = 16;
      let small: TestApp;
      beforeAll(async () => {
        small = await startTestApp({ maxUploadBytes: LIMIT });
      });
      afterAll(() => small?.close());

      const smallScene = async () => {
        const fx = fixtures(small.app);
        const tenant = await fx.tenant();
        const user = await fx.user(tenant.id);
        const contactId = await fx.contact(tenant.id);
        return { tenant, user, contactId };
      };
      const createSmallText = (apiKey: string, id: number, body: unknown) =>
        small.http().post(`/api/2.0/crm/contact/${id}/files/text`).set('Authorization', apiKey).send(body as object);
      /** Checks that no file row, content, event or link came of the request. */
      const nothingWrittenInSmall = async <T>(tenantId: number, request: () => PromiseLike<T>) => {
        const filesBefore = await filesUnder(small.config.filesDir);
        const result = await historyRows(small.dataSource).unchangedBy([tenantId], request);
        expect(await fileRows(small.dataSource).ofTenant(tenantId)).toEqual([]);
        expect(await filesUnder(small.config.filesDir)).toEqual(filesBefore);
        return result;
      };

      it('given content of exactly MAX_UPLOAD_BYTES bytes (counted in UTF-8), the file is made', async () => {
        const { user, contactId } = await smallScene();
        const content = `${'é'.repeat(7)}ab`;
        expect(Buffer.byteLength(content)).toBe(LIMIT);

        const response = await createSmallText(user.apiKey, contactId, { title: 'Fits', content });

        expect(response.status).toBe(200);
        expect(response.body.ContentLength).toBe(LIMIT);
      });

      it('given content over MAX_UPLOAD_BYTES bytes, the answer is 413 and nothing is written', async () => {
        const { tenant, user, contactId } = await smallScene();
        const content = `${'é'.repeat(7)}abc`;
        expect(content.length).toBeLessThan(LIMIT);

        const response = await nothingWrittenInSmall(tenant.id, () => createSmallText(user.apiKey, contactId, { title: 'Too big', content }));

        const body = expectProblem(response, 413);
        expect(body.detail).toMatch(/MAX_UPLOAD_BYTES/);
      });

      it('given content over MAX_UPLOAD_BYTES on a missing record, the form is judged first: 413', async () => {
        const { tenant, user } = await smallScene();

        const response = await nothingWrittenInSmall(tenant.id, () => createSmallText(user.apiKey, NO_SUCH_ID, { title: 'Too big', content: 'x'.repeat(LIMIT + 1) }));

        expectProblem(response, 413);
      });
    });

    it.each([
      { name: "an outsider on the member's private contact", type: 'contact', pick: (d: Demo) => d.contacts.privatePerson },
      { name: 'an outsider on a private opportunity', type: 'opportunity', pick: (d: Demo) => d.opportunities.private },
      { name: 'a missing case', type: 'case', pick: () => NO_SUCH_ID },
    ])('given $name, the answer is 404 and no orphan file row or content is left', async ({ type, pick }) => {
      const [demo] = await f.demo();

      const response = await nothingWrittenBy(demo.id, () => createText(demo.users.outsider.apiKey, type, pick(demo), { title: 'Sneaky', content: '<p>x</p>' }));

      expectProblem(response, 404);
    });
  });

  describe('GET /files/root', () => {
    it("given a caller, the answer is a bare JSON integer: the tenant's root folder id", async () => {
      const [demo, other] = await f.demo();

      const response = await t.http().get('/api/2.0/crm/files/root').set('Authorization', demo.users.outsider.apiKey);
      const otherResponse = await t.http().get('/api/2.0/crm/files/root').set('Authorization', other.users.member.apiKey);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json\b/);
      expect(response.text).toBe(String(demo.rootFolderId));
      expect(JSON.parse(response.text)).toBe(demo.rootFolderId);
      expect(otherResponse.text).toBe(String(other.rootFolderId));
      expect(other.rootFolderId).not.toBe(demo.rootFolderId);
    });

    it('given an uploaded file, its FolderId is the root folder id', async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);
      const root = await t.http().get('/api/2.0/crm/files/root').set('Authorization', user.apiKey);

      const text = await t.http().post(`/api/2.0/crm/contact/${contactId}/files/text`).set('Authorization', user.apiKey).send({ title: 'T', content: 'x' });

      expect(JSON.parse(root.text)).toBe(tenant.rootFolderId);
      expect(text.body.FolderId).toBe(JSON.parse(root.text));
    });

    it('given no API key, the answer is 401', async () => {
      expectProblem(await t.http().get('/api/2.0/crm/files/root'), 401);
    });
  });

  describe('DELETE /files/{fileid}', () => {
    const remove = (apiKey: string, fileId: number | string) => t.http().delete(`/api/2.0/crm/files/${fileId}`).set('Authorization', apiKey);
    const contentExists = (tenantId: number, fileId: number) => storedExists(t.config.filesDir, t.storageKey(tenantId, fileId));

    it('given the creator, the answer is 200 with the File as it was; the row, links and content are gone; the events stay', async () => {
      const [demo] = await f.demo();
      const [fileId, keep] = demo.files.member;
      const first = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, [fileId, keep]);
      const second = await attach(demo.users.member.apiKey, 'case', demo.cases.public, [fileId]);
      const listed = await t.http().get(`/api/2.0/crm/case/${demo.cases.public}/files`).set('Authorization', demo.users.member.apiKey);
      expect(await contentExists(demo.id, fileId)).toBe(true);

      const response = await remove(demo.users.member.apiKey, fileId);

      expect(response.status).toBe(200);
      expect(response.body).toStrictEqual(listed.body[0]);
      expect(response.body).toMatchObject({ ID: fileId, Name: 'meeting-minutes.txt' });
      expect(await files.byId(fileId)).toBeNull();
      expect(await contentExists(demo.id, fileId)).toBe(false);
      expect(await contentExists(demo.id, keep)).toBe(true);
      expect((await rows.events(demo.id)).map((event) => event.id)).toEqual([first, second]);
      expect(await rows.links(demo.id)).toEqual([{ eventId: first, fileId: keep, position: 1 }]);
      const download = await t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', demo.users.member.apiKey);
      expectProblem(download, 404);
      expectProblem(await remove(demo.users.member.apiKey, fileId), 404);
    });

    it("given an admin, any user's file may be deleted", async () => {
      const [demo] = await f.demo();
      const fileId = demo.files.outsider[0];

      const response = await remove(demo.users.admin.apiKey, fileId);

      expect(response.status).toBe(200);
      expect(response.body.CreatedBy.Id).toBe(demo.users.outsider.id);
      expect(await files.byId(fileId)).toBeNull();
      expect(await contentExists(demo.id, fileId)).toBe(false);
    });

    it("given a member reading the admin's file through an event on a public contact, the answer is 403 and nothing changes", async () => {
      const [demo] = await f.demo();
      const fileId = demo.files.admin[0];
      const eventId = await attach(demo.users.admin.apiKey, 'contact', demo.contacts.person, [fileId]);
      const readable = await t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', demo.users.member.apiKey);
      expect(readable.status).toBe(200);
      const rowBefore = await files.byId(fileId);

      const response = await rows.unchangedBy([demo.id], () => remove(demo.users.member.apiKey, fileId));

      expectProblem(response, 403);
      expect(await files.byId(fileId)).toEqual(rowBefore);
      expect(await contentExists(demo.id, fileId)).toBe(true);
      expect(await rows.links(demo.id)).toEqual([{ eventId, fileId, position: 0 }]);
    });

    it("given a file the caller cannot read, or another tenant's, or none, the answer is 404 and nothing changes", async () => {
      const [demo, other] = await f.demo();
      const fileId = demo.files.member[0];

      const responses = await rows.unchangedBy([demo.id, other.id], async () => [
        await remove(demo.users.outsider.apiKey, fileId),
        await remove(other.users.admin.apiKey, fileId),
        await remove(demo.users.admin.apiKey, NO_SUCH_ID),
      ]);

      for (const response of responses) expectProblem(response, 404);
      expect(await files.byId(fileId)).not.toBeNull();
      expect(await contentExists(demo.id, fileId)).toBe(true);
    });

    it('given a file linked to an event on a private record, a user not on its access list gets 404 and one on it who is not the creator gets 403', async () => {
      const tenant = await f.tenant();
      const admin = await f.user(tenant.id, { admin: true });
      const listed = await f.user(tenant.id);
      const stranger = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id, { share: ShareType.None, access: [listed.id] });
      const fileId = await f.file(admin, 'private.txt', 'x');
      await attach(admin.apiKey, 'contact', contactId, [fileId]);

      expectProblem(await remove(stranger.apiKey, fileId), 404);
      expectProblem(await remove(listed.apiKey, fileId), 403);
      expect(await files.byId(fileId)).not.toBeNull();
    });

    it.each(['0', '01', '-1', 'abc', '2147483648'])('given the file id %j, the answer is 400 naming fileid', async (id) => {
      const [demo] = await f.demo();

      expectInvalidFields(await remove(demo.users.admin.apiKey, id), 'fileid');
    });
  });
});

type Demo = Awaited<ReturnType<ReturnType<typeof fixtures>['demo']>>[0];
