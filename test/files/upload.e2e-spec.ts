import { describe, expect, it } from 'vitest';
import { ISO_UTC } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { multipartBody, readStored, sha256 } from '../support/stored-files.js';
import { contactScene, nothingKeptBy, uploadMultipart } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/** Uploading one file as multipart/form-data, through the real application. */

describe('POST /api/2.0/crm/{entityType}/{entityid}/files/upload: multipart/form-data', () => {
  const { t, rows, files } = useTestApp();

  describe('multipart/form-data', () => {
    it('given one file part, the answer is 200 with its File, and its row records name, type, size and SHA-256', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
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
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
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
      const { caller, path } = await contactScene(t, 'Uma Uploader');
      const name = 'Отчёт – café 日本語 😀.txt';

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: name, contentType: 'text/plain', content: 'x' },
      ]);

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(name);
      expect((await files.byId(response.body.ID))?.name).toBe(name);
    });

    it('given a part with its own content type, the type is kept as sent', async () => {
      const { caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: 'data.json', contentType: 'application/vnd.acme+json', content: '{}' },
      ]);

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe('application/vnd.acme+json');
      expect((await files.byId(response.body.ID))?.contentType).toBe('application/vnd.acme+json');
    });

    it('given a part without Content-Type, the file gets the multipart default, text/plain (RFC 7578 §4.4)', async () => {
      // The multipart parser applies RFC 7578's default and does not say whether the part had the header.
      const { caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename: 'notes', content: 'x' }]);

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe('text/plain');
      expect((await files.byId(response.body.ID))?.contentType).toBe('text/plain');
    });

    it('given an empty file part, an empty file is stored with size 0 and the SHA-256 of nothing', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: 'empty.txt', contentType: 'text/plain', content: '' },
      ]);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'empty.txt', ContentLength: 0 });
      expect(await files.byId(response.body.ID)).toMatchObject({ contentLength: 0, sha256: sha256('') });
      expect((await readStored(t.config.filesDir, t.storageKey(tenant.id, response.body.ID))).length).toBe(0);
    });

    it('given only plain form fields and no file part, the answer is 400 and nothing is kept', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', content: 'not a file: no filename' }]),
      );

      expectProblem(response, 400);
    });

    it('given a file part with an empty file name, the answer is 400 and nothing is kept, not even the parts before it', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () =>
        uploadMultipart(t, caller.apiKey, path(), [
          { field: 'good', filename: 'good.txt', contentType: 'text/plain', content: 'fine' },
          { field: 'bad', filename: '', contentType: 'text/plain', content: 'nameless' },
        ]),
      );

      expectProblem(response, 400);
    });

    it.each(['../', '..', 'folder/', '\u0001\u0002', '   '])(
      'given a file name %j, empty once cleaned, the answer is 400 and nothing is kept',
      async (filename) => {
        const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

        const response = await nothingKeptBy(t, tenant.id, () =>
          uploadMultipart(t, caller.apiKey, path(), [{ field: 'file', filename, contentType: 'text/plain', content: 'x' }]),
        );

        expectProblem(response, 400);
      },
    );

    it('given a file part whose Content-Type is longer than 255 characters, the answer is 400 naming the part and nothing is kept', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

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
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
      const { body, contentType } = multipartBody([
        { field: 'file', filename: 'cut.txt', contentType: 'text/plain', content: 'x'.repeat(100) },
      ]);
      const cut = body.subarray(0, body.length - 30);

      const response = await nothingKeptBy(t, tenant.id, () =>
        t.http().post(path()).set('Authorization', caller.apiKey).set('Content-Type', contentType).send(cut),
      );

      expectProblem(response, 400);
    });
  });
});
