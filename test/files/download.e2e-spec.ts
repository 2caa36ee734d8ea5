import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectNoInternals, expectProblem } from '../support/problem.js';
import { binaryParser, fileRows, removeStored, sha256 } from '../support/stored-files.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/files/{fileid}/content, through the real application. */

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('GET /api/2.0/crm/files/{fileid}/content', () => {
  const { t, f, attached } = useTestApp();

  const download = (apiKey: string, fileId: number | string, headers: Record<string, string> = {}) => {
    let request = t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', apiKey);
    for (const [name, value] of Object.entries(headers)) request = request.set(name, value);
    return request.buffer(true).parse(binaryParser);
  };

  /** The same request, for answers that are problem bodies: parsed as JSON. */
  const requestProblem = (apiKey: string, fileId: number | string) =>
    t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', apiKey);

  /** A file uploaded through the API, raw, with the given name, type and bytes. */
  const uploaded = async (name: string, contentType: string, content: Buffer) => {
    const tenant = await f.tenant();
    const owner = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const response = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files/upload`)
      .set('Authorization', owner.apiKey)
      .set('Content-Type', contentType)
      .set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(content);
    expect(response.status).toBe(200);
    return { tenant, owner, contactId, fileId: response.body.ID as number };
  };

  describe('200 with the bytes and their headers', () => {
    it('given a readable file, the answer carries its exact bytes, Content-Type, Content-Length, an ETag from its SHA-256, the name and nosniff', async () => {
      const { owner, fileId } = await uploaded('bytes.bin', 'application/x-test-bytes', ALL_BYTES);

      const response = await download(owner.apiKey, fileId);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(ALL_BYTES);
      expect(response.headers['content-type']).toBe('application/x-test-bytes');
      expect(response.headers['content-length']).toBe('256');
      expect(response.headers['etag']).toBe(`"${sha256(ALL_BYTES)}"`);
      expect(response.headers['content-disposition']).toBe(`attachment; filename="bytes.bin"; filename*=UTF-8''bytes.bin`);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['accept-ranges']).toBe('bytes');
    });

    it('given the ETag, it is the SHA-256 recorded in the files row', async () => {
      const { owner, fileId } = await uploaded('a.txt', 'text/plain', Buffer.from('recorded digest'));

      const response = await download(owner.apiKey, fileId);

      expect(response.status).toBe(200);
      const row = await fileRows(t.dataSource).byId(fileId);
      expect(response.headers['etag']).toBe(`"${row?.sha256}"`);
      expect(row?.sha256).toBe(sha256('recorded digest'));
    });

    it('given a non-ASCII name, Content-Disposition has an ASCII filename and the exact UTF-8 name in filename*', async () => {
      const name = 'Überweisung März 2026 – 日本.txt';
      const { owner, fileId } = await uploaded(name, 'text/plain', Buffer.from('x'));

      const response = await download(owner.apiKey, fileId);

      expect(response.status).toBe(200);
      const disposition = response.headers['content-disposition'];
      expect(disposition).toMatch(/^attachment; /);
      expect(disposition).toMatch(/^[\x20-\x7e]*$/);
      const plain = /filename="([^"]*)"/.exec(disposition)?.[1];
      expect(plain).toMatch(/^[\x20-\x7e]+$/);
      expect(plain).toMatch(/\.txt$/);
      const extended = /filename\*=UTF-8''([^;\s]+)/.exec(disposition)?.[1];
      expect(extended).toBeDefined();
      expect(decodeURIComponent(extended!)).toBe(name);
    });

    it('given a name with quotes, apostrophes and parentheses, both filename parameters stay well formed', async () => {
      const name = `it's "quoted" (copy) 100%.txt`;
      const { owner, fileId } = await uploaded(name, 'text/plain', Buffer.from('x'));

      const response = await download(owner.apiKey, fileId);

      const disposition = response.headers['content-disposition'];
      const plain = /filename="([^"]*)"(;|$)/.exec(disposition)?.[1];
      expect(plain).toBeDefined();
      expect(plain).not.toMatch(/["\\]/);
      const extended = /filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)$/.exec(disposition)?.[1];
      expect(decodeURIComponent(extended!)).toBe(name);
    });

    it('given an empty file, the answer is 200 with Content-Length 0 and no bytes', async () => {
      const { owner, fileId } = await uploaded('empty.txt', 'text/plain', Buffer.alloc(0));

      const response = await download(owner.apiKey, fileId);

      expect(response.status).toBe(200);
      expect(response.headers['content-length']).toBe('0');
      expect(response.body).toEqual(Buffer.alloc(0));
      expect(response.headers['etag']).toBe(`"${sha256('')}"`);
    });

    it('given the stored content type, it is sent as stored, not sniffed from the name or bytes', async () => {
      const { owner, fileId } = await uploaded('page.html', 'text/plain', Buffer.from('<html><script>alert(1)</script></html>'));

      const response = await download(owner.apiKey, fileId);

      expect(response.headers['content-type']).toBe('text/plain');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-disposition']).toMatch(/^attachment;/);
    });
  });

  describe('If-None-Match', () => {
    it('given the current ETag, the answer is 304 without a body', async () => {
      const { owner, fileId } = await uploaded('cached.txt', 'text/plain', Buffer.from('cache me'));
      const etag = `"${sha256('cache me')}"`;

      const response = await download(owner.apiKey, fileId, { 'If-None-Match': etag });

      expect(response.status).toBe(304);
      expect(response.body).toEqual(Buffer.alloc(0));
      expect(response.headers['etag']).toBe(etag);
    });

    it('given the ETag among others or as a weak tag, the answer is 304', async () => {
      const { owner, fileId } = await uploaded('cached.txt', 'text/plain', Buffer.from('cache me'));
      const etag = `"${sha256('cache me')}"`;

      const listed = await download(owner.apiKey, fileId, { 'If-None-Match': `"other", ${etag}` });
      const weak = await download(owner.apiKey, fileId, { 'If-None-Match': `W/${etag}` });

      expect([listed.status, weak.status]).toEqual([304, 304]);
    });

    it('given another ETag, the answer is 200 with the content', async () => {
      const { owner, fileId } = await uploaded('cached.txt', 'text/plain', Buffer.from('cache me'));

      const response = await download(owner.apiKey, fileId, { 'If-None-Match': `"${sha256('something else')}"` });

      expect(response.status).toBe(200);
      expect(response.body.toString('utf8')).toBe('cache me');
    });
  });

  describe('Range', () => {
    const TEN = Buffer.from('0123456789');

    it.each([
      { range: 'bytes=2-5', start: 2, end: 5 },
      { range: 'bytes=0-0', start: 0, end: 0 },
      { range: 'bytes=7-', start: 7, end: 9 },
      { range: 'bytes=-3', start: 7, end: 9 },
      { range: 'bytes=5-100', start: 5, end: 9 },
      { range: 'bytes=-50', start: 0, end: 9 },
    ])('given $range on 10 bytes, the answer is 206 with bytes $start-$end and their Content-Range', async ({ range, start, end }) => {
      const { owner, fileId } = await uploaded('digits.txt', 'text/plain', TEN);

      const response = await download(owner.apiKey, fileId, { Range: range });

      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/10`);
      expect(response.headers['content-length']).toBe(String(end - start + 1));
      expect(response.body).toEqual(TEN.subarray(start, end + 1));
      expect(response.headers['content-type']).toBe('text/plain');
      expect(response.headers['etag']).toBe(`"${sha256(TEN)}"`);
    });

    it('given a range in the middle of binary content, the exact bytes are sent', async () => {
      const { owner, fileId } = await uploaded('bytes.bin', 'application/octet-stream', ALL_BYTES);

      const response = await download(owner.apiKey, fileId, { Range: 'bytes=100-227' });

      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toBe('bytes 100-227/256');
      expect(response.body).toEqual(ALL_BYTES.subarray(100, 228));
    });

    it.each(['bytes=10-', 'bytes=10-20', 'bytes=100-200', 'bytes=5-2', 'bytes=-0'])(
      'given the unsatisfiable range %s on 10 bytes, the answer is 416 with Content-Range bytes */10',
      async (range) => {
        const { owner, fileId } = await uploaded('digits.txt', 'text/plain', TEN);

        const response = await download(owner.apiKey, fileId, { Range: range });

        expect(response.status).toBe(416);
        expect(response.headers['content-range']).toBe('bytes */10');
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json\b/);
        expect(response.body).toMatchObject({
          type: expect.any(String),
          title: 'Range Not Satisfiable',
          status: 416,
          detail: expect.any(String),
        });
        // A problem answer must not look like the file.
        expect(response.headers['etag']).toBeUndefined();
        expect(response.headers['content-disposition']).toBeUndefined();
        expect(response.headers['accept-ranges']).toBeUndefined();
      },
    );

    it('given several ranges, the whole content is sent with 200', async () => {
      const { owner, fileId } = await uploaded('digits.txt', 'text/plain', TEN);

      const response = await download(owner.apiKey, fileId, { Range: 'bytes=0-1,4-5' });

      expect(response.status).toBe(200);
      expect(response.body).toEqual(TEN);
    });

    it('given If-Range with another ETag, the whole content is sent with 200', async () => {
      const { owner, fileId } = await uploaded('digits.txt', 'text/plain', TEN);

      const response = await download(owner.apiKey, fileId, { Range: 'bytes=2-5', 'If-Range': '"stale"' });

      expect(response.status).toBe(200);
      expect(response.body).toEqual(TEN);
    });
  });

  describe('who may download', () => {
    it("given a file the member created, the member downloads it; the outsider and the other tenant's admin get the same 404 as for a missing file", async () => {
      const [demo, other] = await f.demo();
      const fileId = demo.files.member[0];

      const owner = await download(demo.users.member.apiKey, fileId);
      const outsider = await requestProblem(demo.users.outsider.apiKey, fileId);
      const otherTenant = await requestProblem(other.users.admin.apiKey, fileId);
      const missing = await requestProblem(demo.users.outsider.apiKey, NO_SUCH_ID);

      expect(owner.status).toBe(200);
      expect(owner.body.toString('utf8')).toBe('meeting-minutes.txt of Mark Member, Demo CRM A.\n');
      for (const response of [outsider, otherTenant, missing]) {
        expectProblem(response, 404);
        expect(response.headers['content-disposition']).toBeUndefined();
        expect(response.headers['etag']).toBeUndefined();
      }
      expect(otherTenant.body).toEqual(outsider.body);
      expect({ ...missing.body, detail: missing.body.detail.replace(String(NO_SUCH_ID), String(fileId)) }).toEqual(outsider.body);
    });

    it('given an admin, any file of the tenant can be downloaded', async () => {
      const [demo] = await f.demo();

      const response = await download(demo.users.admin.apiKey, demo.files.outsider[0]);

      expect(response.status).toBe(200);
      expect(response.body.toString('utf8')).toBe('outsider-todo.txt of Olga Outsider, Demo CRM A.\n');
    });

    it('given a file linked to an event on a public contact, another user of the tenant may download it', async () => {
      const [demo] = await f.demo();
      const fileId = demo.files.member[1];
      const before = await download(demo.users.outsider.apiKey, fileId);
      await attached(demo.users.member.apiKey, 'contact', demo.contacts.readOnlyCompany, [fileId]);

      const after = await download(demo.users.outsider.apiKey, fileId);

      expect(before.status).toBe(404);
      expect(after.status).toBe(200);
      expect(after.body.toString('utf8')).toBe('proposal-draft.txt of Mark Member, Demo CRM A.\n');
    });

    it('given a file linked only to an event on a private record, a user not on its access list gets 404', async () => {
      const [demo] = await f.demo();
      const fileId = demo.files.member[2];
      await attached(demo.users.member.apiKey, 'opportunity', demo.opportunities.private, [fileId]);
      await attached(demo.users.member.apiKey, 'contact', demo.contacts.privatePerson, [fileId]);

      const outsider = await download(demo.users.outsider.apiKey, fileId);
      const member = await download(demo.users.member.apiKey, fileId);

      expect(outsider.status).toBe(404);
      expect(member.status).toBe(200);
    });

    it('given a file whose content is gone from storage, the answer is a 500 problem, not a hang or a partial 200', async () => {
      const { tenant, owner, fileId } = await uploaded('vanished.txt', 'text/plain', Buffer.from('soon gone'));
      await removeStored(t.config.filesDir, t.storageKey(tenant.id, fileId));

      const response = await requestProblem(owner.apiKey, fileId);

      expectProblem(response, 500);
      expectNoInternals(response);
    });

    it('given no API key, the answer is 401', async () => {
      const [demo] = await f.demo();

      const response = await t.http().get(`/api/2.0/crm/files/${demo.files.admin[0]}/content`);

      expectProblem(response, 401);
    });

    it.each(['0', '01', '-1', 'abc', '2147483648', '1.5'])('given the file id %j, the answer is 400 naming fileid', async (id) => {
      const [demo] = await f.demo();

      const response = await t.http().get(`/api/2.0/crm/files/${id}/content`).set('Authorization', demo.users.admin.apiKey);

      expectInvalidFields(response, 'fileid');
    });
  });
});
