import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/problem.js';
import { readStored } from '../support/stored-files.js';
import { contactScene, nothingKeptBy, postText, uploadChunked, uploadMultipart, uploadRaw } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * MAX_UPLOAD_BYTES is the largest content kept: a file of exactly that many bytes is stored,
 * one byte more is refused with 413 and nothing of it is kept, however it is sent (see
 * docs/contract.md, "Limits").
 */
describe('MAX_UPLOAD_BYTES is exact', () => {
  const LIMIT = 10;
  const { t, files } = useTestApp({ maxUploadBytes: LIMIT });

  const exact = Buffer.from('0123456789');
  const over = Buffer.from('0123456789A');

  /** The upload answered 200 and stored exactly these bytes. */
  const expectStored = async (tenantId: number, fileId: number, bytes: Buffer) => {
    expect((await files.byId(fileId))?.contentLength).toBe(bytes.length);
    expect(await readStored(t.config.filesDir, t.storageKey(tenantId, fileId))).toEqual(bytes);
  };

  const raw = (apiKey: string, path: string, content: Buffer) =>
    uploadRaw(t, apiKey, path, content, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': 'attachment; filename="edge.bin"',
    });
  const multipart = (apiKey: string, path: string, content: Buffer) =>
    uploadMultipart(t, apiKey, path, [{ field: 'file', filename: 'edge.bin', contentType: 'application/octet-stream', content }]);

  it.each([
    { name: 'raw with Content-Length', send: raw },
    { name: 'multipart', send: multipart },
  ])('given $name, MAX_UPLOAD_BYTES bytes are stored and one more is 413 with nothing kept', async ({ send }) => {
    const { tenant, caller, path } = await contactScene(t);

    const accepted = await send(caller.apiKey, path(), exact);
    expect(accepted.status).toBe(200);
    await expectStored(tenant.id, accepted.body.ID, exact);

    const refused = await nothingKeptBy(t, tenant.id, () => send(caller.apiKey, path('?attach=true'), over));
    expectProblem(refused, 413);
  });

  it('given a chunked raw body, MAX_UPLOAD_BYTES bytes are stored and one more is 413 with nothing kept', async () => {
    const { tenant, caller, path } = await contactScene(t);

    const acceptedStatus = await uploadChunked(t, caller.apiKey, path(), 'edge.bin', [exact.subarray(0, 4), exact.subarray(4)]);
    expect(acceptedStatus).toBe(200);
    const [stored] = await files.ofTenant(tenant.id);
    await expectStored(tenant.id, stored.id, exact);

    const refusedStatus = await nothingKeptBy(t, tenant.id, () =>
      uploadChunked(t, caller.apiKey, path('?attach=true'), 'edge.bin', [over.subarray(0, 4), over.subarray(4)]),
    );
    expect(refusedStatus).toBe(413);
  });

  it('given a text file, MAX_UPLOAD_BYTES bytes of UTF-8 are stored and one more is 413 with nothing kept', async () => {
    const { tenant, caller, contactId } = await contactScene(t);
    const text = (content: string) => postText(t, caller.apiKey, 'contact', contactId, { title: 'edge', content });

    // Eight ASCII bytes and one two-byte letter: ten bytes, nine characters.
    const accepted = await text('01234567é');
    expect(accepted.status).toBe(200);
    await expectStored(tenant.id, accepted.body.ID, Buffer.from('01234567é', 'utf8'));

    expectProblem(await nothingKeptBy(t, tenant.id, () => text('012345678é')), 413);
  });
});
