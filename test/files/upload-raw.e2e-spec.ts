import { describe, expect, it } from 'vitest';
import { STORAGE_KEY } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { filesUnder, readStored, sha256 } from '../support/stored-files.js';
import { contactScene, nothingKeptBy, uploadMultipart, uploadRaw } from '../support/upload.js';
import { testingOnS3 } from '../support/s3-test-storage.js';
import { useTestApp } from '../support/use-test-app.js';

/** Uploading a raw body named by Content-Disposition, and how file names are cleaned. */

describe('POST /api/2.0/crm/{entityType}/{entityid}/files/upload: raw body, file names', () => {
  const { t, files } = useTestApp();

  describe('raw body with Content-Disposition', () => {
    it('given filename="..." and a Content-Type, the body is stored under that name and type, with its size and SHA-256', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
      const content = Buffer.from('%PDF-1.7 not really\n');

      const response = await uploadRaw(t, caller.apiKey, path(), content, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': 'attachment; filename="contract.pdf"',
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        Name: 'contract.pdf',
        ContentType: 'application/pdf',
        ContentLength: content.length,
        FolderId: tenant.rootFolderId,
      });
      expect(await files.byId(response.body.ID)).toMatchObject({
        name: 'contract.pdf',
        contentType: 'application/pdf',
        contentLength: content.length,
        sha256: sha256(content),
      });
      expect(await readStored(t.config.filesDir, t.storageKey(tenant.id, response.body.ID))).toEqual(content);
    });

    it("given filename*=UTF-8''..., the percent-encoded UTF-8 name is decoded", async () => {
      const { caller, path } = await contactScene(t, 'Uma Uploader');
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
      const { caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadRaw(t, caller.apiKey, path(), 'x', {
        'Content-Type': 'text/plain',
        'Content-Disposition': `attachment; filename="fallback.txt"; filename*=UTF-8''na%C3%AFve.txt`,
      });

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('naïve.txt');
    });

    it('given a Content-Type with parameters, it is kept as sent', async () => {
      const { caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadRaw(t, caller.apiKey, path(), 'a;b\n', {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="table.csv"',
      });

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe('text/csv; charset=utf-8');
    });

    it('given a JSON file as the raw body, it is stored as a file, not parsed', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
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
      const { caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await uploadRaw(t, caller.apiKey, path(), Buffer.from([0, 1, 2]), {
        'Content-Disposition': 'attachment; filename="blob"',
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'blob', ContentType: 'application/octet-stream', ContentLength: 3 });
    });

    it('given an empty body, an empty file is stored', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

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
      {
        name: 'a filename that is only a directory',
        headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename="../../"' },
      },
      {
        name: 'a filename of control characters',
        headers: { 'Content-Type': 'text/plain', 'Content-Disposition': "attachment; filename*=UTF-8''%01%02%7F" },
      },
    ] as { name: string; headers: Record<string, string> }[])('given $name, the answer is 400 and nothing is kept', async ({ headers }) => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

      const response = await nothingKeptBy(t, tenant.id, () => uploadRaw(t, caller.apiKey, path(), 'content', headers));

      expectProblem(response, 400);
    });

    it('given a Content-Type of exactly 255 characters, it is kept as sent', async () => {
      const { caller, path } = await contactScene(t, 'Uma Uploader');
      const contentType = `application/x-${'a'.repeat(241)}`;
      expect(contentType).toHaveLength(255);

      const response = await uploadRaw(t, caller.apiKey, path(), 'x', {
        'Content-Type': contentType,
        'Content-Disposition': 'attachment; filename="long-type.bin"',
      });

      expect(response.status).toBe(200);
      expect(response.body.ContentType).toBe(contentType);
      expect((await files.byId(response.body.ID))?.contentType).toBe(contentType);
    });

    it('given a Content-Type longer than 255 characters, the answer is 400 naming Content-Type and nothing is kept', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');

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
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
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
      const { caller, path } = await contactScene(t, 'Uma Uploader');
      const long = `${'é'.repeat(300)}.txt`;

      const response = await uploadMultipart(t, caller.apiKey, path(), [
        { field: 'file', filename: long, contentType: 'text/plain', content: 'x' },
      ]);

      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('é'.repeat(255));
      expect((await files.byId(response.body.ID))?.name).toBe('é'.repeat(255));
    });

    it('a storage path built by storageKeyForFile is made of the tenant id and file id only, whatever the file is called', async () => {
      const { tenant, caller, path } = await contactScene(t, 'Uma Uploader');
      const names = ['secret-plan.txt', '..%2F..%2Fescape', 'name with spaces.doc', '日本.txt'];
      const before = await filesUnder(t.config.filesDir);

      const ids: number[] = [];
      for (const name of names) {
        const response = await uploadMultipart(t, caller.apiKey, path(), [
          { field: 'file', filename: name, contentType: 'text/plain', content: name },
        ]);
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
});
