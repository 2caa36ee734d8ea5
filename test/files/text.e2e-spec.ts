import { describe, expect, it } from 'vitest';
import { ISO_UTC, NO_SUCH_ID } from '../support/constants.js';
import { fixtures } from '../support/fixtures.js';
import type { Demo } from '../support/history-api.js';
import { filesUploadedEventOn, historyRows } from '../support/history-rows.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { fileRows, filesUnder, readStored, sha256 } from '../support/stored-files.js';
import { postText } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/** POST /api/2.0/crm/{entityType}/{entityid}/files/text: a text file made from a title and content. */

describe('POST /{entityType}/{entityid}/files/text', () => {
  const { t, f, rows, files } = useTestApp();

  it('given plain text, a .txt file is made with the content, attached to the record in one event of category -2', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id, { name: 'Tom Texter' });
    const contactId = await f.contact(tenant.id);
    const content = 'Called Grace: agreed on 5 < 7 and 8 > 3. Ünïcødé ✓';
    const employee = { Id: user.id, DisplayName: 'Tom Texter', Title: null, AvatarSmall: null, ProfileUrl: null };

    const response = await postText(t, user.apiKey, 'contact', contactId, { title: 'Call notes', content });

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
    expect(await files.byId(id)).toMatchObject({
      name: 'Call notes.txt',
      contentType: 'text/plain; charset=utf-8',
      sha256: sha256(content),
    });
    expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, id))).toString('utf8')).toBe(content);
    const events = await rows.events(tenant.id);
    expect(events).toEqual([
      {
        id: expect.any(Number),
        categoryId: -2,
        content: 'Files are uploaded',
        contactId,
        entityType: null,
        entityId: null,
        createdBy: user.id,
      },
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

    const response = await postText(t, demo.users.member.apiKey, 'opportunity', demo.opportunities.public, { title: 'Minutes', content });

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

    const response = await postText(t, demo.users.member.apiKey, 'contact', demo.contacts.person, { title, content });

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
  ])(
    'given a long title ($title.length characters), the name keeps its extension within 255 characters',
    async ({ title, content, name }) => {
      const [demo] = await f.demo();

      const response = await postText(t, demo.users.member.apiKey, 'contact', demo.contacts.person, { title, content });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(name);
      expect([...response.body.Name].length).toBeLessThanOrEqual(255);
      expect((await files.byId(response.body.ID))?.name).toBe(name);
    },
  );

  it('given a title with a directory part, it is cleaned like an upload name', async () => {
    const [demo] = await f.demo();

    const response = await postText(t, demo.users.member.apiKey, 'contact', demo.contacts.person, {
      title: '../../secret/Plan',
      content: 'x',
    });

    expect(response.status).toBe(200);
    expect(response.body.Name).toBe('Plan.txt');
  });

  it('given a case, the event carries the case', async () => {
    const [demo] = await f.demo();

    const response = await postText(t, demo.users.member.apiKey, 'case', demo.cases.private, { title: 'Evidence', content: 'x' });

    expect(response.status).toBe(200);
    expect(await rows.events(demo.id)).toEqual([filesUploadedEventOn('case', demo.cases.private, demo.users.member.id)]);
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

    const response = await nothingWrittenBy(demo.id, () => postText(t, demo.users.member.apiKey, 'contact', demo.contacts.person, body));

    expectInvalidFields(response, field);
  });

  it('given a text body that is not JSON, the answer is 415 and nothing is written', async () => {
    const [demo] = await f.demo();

    const response = await nothingWrittenBy(demo.id, () =>
      t
        .http()
        .post(`/api/2.0/crm/contact/${demo.contacts.person}/files/text`)
        .set('Authorization', demo.users.member.apiKey)
        .set('Content-Type', 'text/plain')
        .send('hello'),
    );

    expectProblem(response, 415);
  });

  describe('MAX_UPLOAD_BYTES', () => {
    const LIMIT = 16;
    const { t: small } = useTestApp({ maxUploadBytes: LIMIT });

    const smallScene = async () => {
      const fx = fixtures(small.app);
      const tenant = await fx.tenant();
      const user = await fx.user(tenant.id);
      const contactId = await fx.contact(tenant.id);
      return { tenant, user, contactId };
    };
    const createSmallText = (apiKey: string, id: number, body: unknown) =>
      small
        .http()
        .post(`/api/2.0/crm/contact/${id}/files/text`)
        .set('Authorization', apiKey)
        .send(body as object);
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

      const response = await nothingWrittenInSmall(tenant.id, () =>
        createSmallText(user.apiKey, NO_SUCH_ID, { title: 'Too big', content: 'x'.repeat(LIMIT + 1) }),
      );

      expectProblem(response, 413);
    });
  });

  it.each([
    { name: "an outsider on the member's private contact", type: 'contact', pick: (d: Demo) => d.contacts.privatePerson },
    { name: 'an outsider on a private opportunity', type: 'opportunity', pick: (d: Demo) => d.opportunities.private },
    { name: 'a missing case', type: 'case', pick: () => NO_SUCH_ID },
  ])('given $name, the answer is 404 and no orphan file row or content is left', async ({ type, pick }) => {
    const [demo] = await f.demo();

    const response = await nothingWrittenBy(demo.id, () =>
      postText(t, demo.users.outsider.apiKey, type, pick(demo), { title: 'Sneaky', content: '<p>x</p>' }),
    );

    expectProblem(response, 404);
  });
});
