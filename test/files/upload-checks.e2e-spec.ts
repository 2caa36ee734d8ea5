import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { contactScene, nothingKeptBy, uploadMultipart, uploadPath, uploadRaw } from '../support/upload.js';
import { filesUploadedEventOn } from '../support/history-rows.js';
import { useTestApp } from '../support/use-test-app.js';

/** The record is checked before any byte is stored; ?attach records the upload on the record. */

describe('POST /api/2.0/crm/{entityType}/{entityid}/files/upload: the record, and ?attach', () => {
  const { t, f, rows, files } = useTestApp();

  describe('the record is checked before any byte is stored', () => {
    it.each([
      { name: 'a missing contact', target: () => uploadPath('contact', NO_SUCH_ID) },
      { name: 'a missing case', target: () => uploadPath('case', NO_SUCH_ID) },
    ])('given $name, the answer is 404 and nothing is stored', async ({ target }) => {
      const { tenant, caller } = await contactScene(t, 'Uma Uploader');

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

    it("given a private opportunity of the caller's tenant, an outsider gets 404 and nothing is stored", async () => {
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
      const { tenant, caller } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, uploadPath('contact', NO_SUCH_ID, '?attach=maybe'), [
          { field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' },
        ]),
      );

      expectInvalidFields(response, 'attach');
    });

    it.each([
      { name: 'no Content-Disposition', headers: { 'Content-Type': 'text/plain' }, field: 'Content-Disposition' },
      {
        name: 'a filename empty once cleaned',
        headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename="../"' },
        field: 'Content-Disposition',
      },
      {
        name: 'a Content-Type over 255 characters',
        headers: { 'Content-Type': `text/${'x'.repeat(260)}`, 'Content-Disposition': 'attachment; filename="a.txt"' },
        field: 'Content-Type',
      },
    ] as { name: string; headers: Record<string, string>; field: string }[])(
      'given a raw body with $name on a missing record, the headers are judged first: 400 naming $field',
      async ({ headers, field }) => {
        const { tenant, caller } = await contactScene(t, 'Uma Uploader');

        const response = await nothingKeptBy(t, tenant.id, () =>
          uploadRaw(t, caller.apiKey, uploadPath('contact', NO_SUCH_ID, '?attach=true'), 'x', headers),
        );

        expectInvalidFields(response, field);
      },
    );

    it('given a multipart part without a file name on a missing record, the record is judged first: 404', async () => {
      const { tenant, caller } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, uploadPath('contact', NO_SUCH_ID), [
          { field: 'file', filename: '', contentType: 'text/plain', content: 'x' },
        ]),
      );

      expectProblem(response, 404);
    });

    it('given no API key, the answer is 401 and nothing is stored', async () => {
      const { tenant, path } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () =>
        t
          .http()
          .post(path())
          .set('Content-Type', 'text/plain')
          .set('Content-Disposition', 'attachment; filename="a.txt"')
          .send(Buffer.from('x')),
      );

      expectProblem(response, 401);
    });

    it.each(['lead', '0', 'abc'])('given a malformed path part %j, the answer is 400 and nothing is stored', async (bad) => {
      const { tenant, caller, contactId } = await contactScene(t, 'Uma Uploader');
      const path = bad === 'lead' ? uploadPath('lead', contactId) : uploadPath('contact', bad);

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path, [{ field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' }]),
      );

      expectProblem(response, 400);
    });
  });

  describe('?attach', () => {
    it('given attach=true and several files, all of them are attached to the record in one event, in upload order', async () => {
      const { tenant, caller, contactId, path } = await contactScene(t, 'Uma Uploader');

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
        {
          id: expect.any(Number),
          categoryId: -2,
          content: 'Files are uploaded',
          contactId,
          entityType: null,
          entityId: null,
          createdBy: caller.id,
        },
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
      expect(await rows.events(demo.id)).toEqual([filesUploadedEventOn('case', demo.cases.private, demo.users.member.id)]);
      expect((await rows.links(demo.id)).map((link) => link.fileId)).toEqual([response.body.ID]);
    });

    it('given attach=false, the files are stored and nothing is attached', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadMultipart(t, caller.apiKey, path('?attach=false'), [
        { field: 'file', filename: 'loose.txt', contentType: 'text/plain', content: 'x' },
      ]);

      expect(response.status).toBe(200);
      expect(await files.ofTenant(tenant.id)).toHaveLength(1);
      expect(await rows.counts(tenant.id)).toEqual({ events: 0, links: 0 });
    });

    it.each(['maybe', 'TRUE', '1', 'yes', ''])('given attach=%j, the answer is 400 naming attach and nothing is kept', async (value) => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(`?attach=${value}`), [
          { field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'x' },
        ]),
      );

      expectInvalidFields(response, 'attach');
    });
  });
});
