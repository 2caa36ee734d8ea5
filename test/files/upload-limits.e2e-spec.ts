import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { historyRows } from '../support/history-rows.js';
import { fileRows, filesUnder, readStored, sha256, type MultipartPart } from '../support/stored-files.js';
import { contactScene, nothingKeptBy, uploadChunked, uploadMultipart, uploadPath, uploadRaw } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/** MAX_UPLOAD_BYTES, MAX_FILE_IDS with ?attach=true, and concurrent uploads. */

describe('POST /api/2.0/crm/{entityType}/{entityid}/files/upload: limits and concurrency', () => {
  const { t, rows, files } = useTestApp();

  describe('MAX_UPLOAD_BYTES', () => {
    const LIMIT = 1024;
    const { t: small } = useTestApp({ maxUploadBytes: LIMIT });

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
      expect(
        left.filter((entry) => entry.startsWith('staging') || entry.endsWith('.partial')),
        'no staging or partial file is left',
      ).toEqual([]);
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
        uploadMultipart(small, caller.apiKey, uploadPath('contact', NO_SUCH_ID), [
          { field: 'file', filename: 'big.bin', content: Buffer.alloc(LIMIT + 1, 1) },
        ]),
      );

      expectProblem(response, 404);
    });

    it('given a raw file over the limit sent chunked (no Content-Length), the answer is 413 and nothing is kept', async () => {
      const { tenant, caller, path } = await smallScene();

      const status = await nothingKeptBy(small, tenant.id, () =>
        uploadChunked(
          small,
          caller.apiKey,
          path(),
          'streamed.bin',
          [0, 1, 2, 3].map((i) => Buffer.alloc(512, i)),
        ),
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

      const response = await uploadMultipart(small, caller.apiKey, path(), [
        { field: 'file', filename: 'exact.bin', content: Buffer.alloc(LIMIT, 1) },
      ]);

      expect(response.status).toBe(200);
      expect(response.body.ContentLength).toBe(LIMIT);
    });
  });

  describe('MAX_FILE_IDS with ?attach=true', () => {
    const MAX = 2;
    const { t: few } = useTestApp({ maxFileIds: MAX });

    const fewScene = () => contactScene(few);
    const parts = (count: number): MultipartPart[] =>
      Array.from({ length: count }, (_, i) => ({
        field: `f${i}`,
        filename: `part-${i}.txt`,
        contentType: 'text/plain',
        content: String(i),
      }));

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
      const { tenant, caller, contactId, path } = await contactScene(t, 'Uma Uploader');
      const names = Array.from({ length: 12 }, (_, i) => `parallel-${i}.txt`);

      const responses = await Promise.all(
        names.map((name) =>
          uploadMultipart(t, caller.apiKey, path('?attach=true'), [
            { field: 'file', filename: name, contentType: 'text/plain', content: name },
          ]),
        ),
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
