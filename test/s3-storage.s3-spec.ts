import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentTooLargeError } from '../src/storage/file-storage.js';
import { S3Storage } from '../src/storage/s3.storage.js';
import { fixtures } from './support/fixtures.js';
import { expectProblem } from './support/problem.js';
import { BucketContents, freshBucket } from './support/s3-test-storage.js';
import { binaryParser, fileRows, sha256 } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MiB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Polls until `check` holds (the server finishes cleaning up after a client is gone), or gives up. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('the S3 driver, through the service', () => {
  let t: TestApp;
  let bucket: BucketContents;

  beforeAll(async () => {
    // A prefix without a trailing slash: it is put before the key as is.
    t = await startTestApp({ storage: await freshBucket('crm-'), maxUploadBytes: 64 * MiB });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    if (t.config.storage.driver !== 's3') throw new Error('expected the S3 driver');
    bucket = new BucketContents(t.config.storage);
  });

  afterAll(async () => {
    bucket.close();
    await t.close();
  });

  const scene = async () => {
    const f = fixtures(t.app);
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    return { tenant, caller, path: `/api/2.0/crm/contact/${contactId}/files/upload` };
  };

  const uploadRaw = (apiKey: string, path: string, content: Buffer, name = 'data.bin') =>
    t
      .http()
      .post(path)
      .set('Authorization', apiKey)
      .set('Content-Type', 'application/octet-stream')
      .set('Content-Disposition', `attachment; filename="${name}"`)
      .send(content);

  const download = (apiKey: string, fileId: number, range?: string) => {
    let call = t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', apiKey);
    if (range) call = call.set('Range', range);
    return call.buffer(true).parse(binaryParser);
  };

  it('stores a file as exactly one object, <S3_PREFIX><tenant id>/<file id>, holding exactly the bytes sent', async () => {
    const { tenant, caller, path } = await scene();
    const content = randomBytes(70_000);
    const before = await bucket.allObjectKeys();

    const response = await uploadRaw(caller.apiKey, path, content, '../../secret name.bin');

    expect(response.status).toBe(200);
    const id = response.body.ID as number;
    const added = (await bucket.allObjectKeys()).filter((key) => !before.includes(key));
    expect(added).toEqual([`crm-${tenant.id}/${id}`]);
    expect(await bucket.read(`${tenant.id}/${id}`)).toEqual(content);
    expect((await fileRows(t.dataSource).byId(id))?.sha256).toBe(sha256(content));
  });

  it('stores a file larger than one part (a multipart upload) byte for byte, and serves it whole and by ranges across parts', async () => {
    const { tenant, caller, path } = await scene();
    const content = randomBytes(11 * MiB + 12_345);

    const response = await uploadRaw(caller.apiKey, path, content);

    expect(response.status).toBe(200);
    const id = response.body.ID as number;
    expect(response.body.ContentLength).toBe(content.length);
    const stored = await bucket.read(`${tenant.id}/${id}`);
    expect(stored.length).toBe(content.length);
    expect(sha256(stored)).toBe(sha256(content));

    const whole = await download(caller.apiKey, id);
    expect(whole.status).toBe(200);
    expect(sha256(whole.body as Buffer)).toBe(sha256(content));

    // Across the boundary of the first 5 MiB part, and the last bytes.
    for (const [start, end] of [
      [5 * MiB - 3, 5 * MiB + 2],
      [content.length - 10, content.length - 1],
      [0, 0],
    ]) {
      const part = await download(caller.apiKey, id, `bytes=${start}-${end}`);
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/${content.length}`);
      expect(part.body).toEqual(content.subarray(start, end + 1));
    }
    const suffix = await download(caller.apiKey, id, 'bytes=-7');
    expect(suffix.status).toBe(206);
    expect(suffix.body).toEqual(content.subarray(content.length - 7));
  });

  it('deleting a file deletes its object', async () => {
    const { tenant, caller, path } = await scene();
    const uploaded = await uploadRaw(caller.apiKey, path, Buffer.from('to be deleted'));
    const id = uploaded.body.ID as number;
    expect(await bucket.exists(`${tenant.id}/${id}`)).toBe(true);

    const response = await t.http().delete(`/api/2.0/crm/files/${id}`).set('Authorization', caller.apiKey);

    expect(response.status).toBe(200);
    expect(await bucket.exists(`${tenant.id}/${id}`)).toBe(false);
    expect(await fileRows(t.dataSource).byId(id)).toBeNull();
  });

  it.each([
    ['within the first part (a single PutObject)', 64 * 1024, 2 * MiB],
    ['after several parts (a multipart upload)', 12 * MiB, 40 * MiB],
  ])('an upload whose client goes away %s leaves no object and no row', async (_, sent, declared) => {
    const { tenant, path, caller } = await scene();
    const rowsBefore = await fileRows(t.dataSource).ofTenant(tenant.id);
    const allocatedBefore = await highestAllocatedId();
    const keysBefore = await bucket.allObjectKeys();
    const { port } = t.app.getHttpServer().address() as AddressInfo;

    await new Promise<void>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        agent: false,
        method: 'POST',
        path,
        headers: {
          Authorization: caller.apiKey,
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': 'attachment; filename="cut.bin"',
          'Content-Length': String(declared),
        },
      });
      req.on('error', () => undefined);
      req.on('response', (response) => reject(new Error(`answered ${response.statusCode} before the body was cut`)));
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      let written = 0;
      const writeMore = () => {
        while (written < sent) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', writeMore);
        }
        // Give the service time to send what it has to the bucket, then cut the connection.
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 500);
      };
      writeMore();
    });

    // The service did start storing: it took a file id for the upload.
    expect(await eventually(async () => (await highestAllocatedId()) > allocatedBefore)).toBe(true);
    expect(await eventually(async () => (await bucket.allObjectKeys()).length === keysBefore.length)).toBe(true);
    expect(await bucket.allObjectKeys()).toEqual(keysBefore);
    expect(await fileRows(t.dataSource).ofTenant(tenant.id)).toEqual(rowsBefore);
  });

  it('an upload over MAX_UPLOAD_BYTES sent chunked is cut at the limit after a part has gone out: 413, no object, no row', async () => {
    const small = await startTestApp({ storage: await freshBucket(), maxUploadBytes: 6 * MiB });
    const contents = new BucketContents(small.config.storage as { bucket: string; prefix: string });
    try {
      await small.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = small.app.getHttpServer().address() as AddressInfo;
      const f = fixtures(small.app);
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);

      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            // A connection of its own, closed after the answer, so that the app can close.
            agent: false,
            method: 'POST',
            path: `/api/2.0/crm/contact/${contactId}/files/upload`,
            headers: {
              Authorization: caller.apiKey,
              'Content-Type': 'application/octet-stream',
              'Content-Disposition': 'attachment; filename="big.bin"',
              'Transfer-Encoding': 'chunked',
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        const chunk = Buffer.alloc(MiB, 1);
        for (let i = 0; i < 7; i++) req.write(chunk);
        req.end();
      });

      expect(status).toBe(413);
      expect(await contents.allObjectKeys()).toEqual([]);
      expect(await fileRows(small.dataSource).ofTenant(tenant.id)).toEqual([]);
    } finally {
      contents.close();
      await small.close();
    }
  });

  it('/health/ready answers 200 while the bucket answers', async () => {
    const response = await t.http().get('/health/ready');
    expect(response.status).toBe(200);
  });

  describe('given a bucket that does not exist', () => {
    let missing: TestApp;

    beforeAll(async () => {
      missing = await startTestApp({ storage: { ...(await freshBucket()), bucket: 'no-such-bucket-here' } });
    });

    afterAll(async () => {
      await missing.close();
    });

    it('/health/ready answers 503 naming the storage', async () => {
      const response = await missing.http().get('/health/ready');

      expectProblem(response, 503);
      expect(response.body.type).toMatch(/storage-unavailable$/);
      expect(response.headers['retry-after']).toBe('5');
    });

    it('an upload answers 503 storage-unavailable (not a database outage) and leaves no row', async () => {
      const f = fixtures(missing.app);
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);

      const response = await missing
        .http()
        .post(`/api/2.0/crm/contact/${contactId}/files/upload`)
        .set('Authorization', caller.apiKey)
        .set('Content-Type', 'text/plain')
        .set('Content-Disposition', 'attachment; filename="a.txt"')
        .send('hello');

      expectProblem(response, 503);
      expect(response.body.type).toMatch(/storage-unavailable$/);
      expect(response.headers['retry-after']).toBe('5');
      expect(await fileRows(missing.dataSource).ofTenant(tenant.id)).toEqual([]);
    });
  });

  async function highestAllocatedId(): Promise<number> {
    const [row] = (await t.dataSource.query('SELECT MAX(id) AS id FROM file_ids')) as { id: number | string | null }[];
    return Number(row?.id ?? 0);
  }
});

describe('S3Storage', () => {
  let storage: S3Storage;
  let bucket: BucketContents;

  beforeAll(async () => {
    const config = await freshBucket('p/');
    storage = new S3Storage(config, 100 * MiB);
    bucket = new BucketContents(config);
  });

  afterAll(() => {
    bucket.close();
    storage.onApplicationShutdown();
  });

  it('keys a file by tenant id and file id only', () => {
    expect(storage.keyForFile(3, 1042)).toBe('3/1042');
    expect(storage.objectKey(storage.keyForFile(3, 1042))).toBe('p/3/1042');
  });

  it('writes and reads back content, returning its size and SHA-256; empty content too', async () => {
    const content = randomBytes(1000);
    expect(await storage.write('1/1', Readable.from([content]), 1000)).toEqual({ size: 1000, sha256: sha256(content) });
    expect(await readAll(storage.read('1/1'))).toEqual(content);
    expect(await readAll(storage.read('1/1', { start: 10, end: 19 }))).toEqual(content.subarray(10, 20));
    expect(await storage.write('1/2', Readable.from([]), 0)).toEqual({ size: 0, sha256: sha256('') });
    expect((await readAll(storage.read('1/2'))).length).toBe(0);
  });

  it('rejects content over maxBytes with ContentTooLargeError and keeps no object, in one part or after several', async () => {
    await expect(storage.write('2/1', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toBeInstanceOf(
      ContentTooLargeError,
    );
    const parts = Array.from({ length: 13 }, () => Buffer.alloc(MiB, 7));
    await expect(storage.write('2/2', Readable.from(parts), 12 * MiB)).rejects.toBeInstanceOf(ContentTooLargeError);
    expect(await bucket.exists('2/1')).toBe(false);
    expect(await bucket.exists('2/2')).toBe(false);
  });

  it('keeps no object when the source fails midway, and rejects with the source error', async () => {
    async function* failing() {
      for (let i = 0; i < 7; i++) yield Buffer.alloc(MiB, i);
      throw new Error('client went away');
    }
    await expect(storage.write('3/1', Readable.from(failing()), 100 * MiB)).rejects.toThrow('client went away');
    expect(await bucket.exists('3/1')).toBe(false);
  });

  it('fails a read of a missing key through the stream', async () => {
    await expect(readAll(storage.read('9/999'))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('removes an object, and removing a missing one is fine', async () => {
    await storage.write('4/1', Readable.from([Buffer.from('x')]), 10);
    await storage.remove('4/1');
    expect(await bucket.exists('4/1')).toBe(false);
    await expect(storage.remove('4/1')).resolves.toBeUndefined();
  });

  it('lists its file objects written before a time, with their file ids, and never an object it did not write', async () => {
    await storage.write('5/501', Readable.from([Buffer.from('a')]), 10);
    await storage.write('notes/x', Readable.from([Buffer.from('b')]), 10);
    const listed: { key: string; fileId: number | null }[] = [];
    for await (const entry of storage.listStale(new Date(Date.now() + 60_000))) listed.push(entry);
    expect(listed).toContainEqual({ key: '5/501', fileId: 501 });
    expect(listed.map((entry) => entry.key)).not.toContain('notes/x');

    const none: unknown[] = [];
    for await (const entry of storage.listStale(new Date(Date.now() - 60_000))) none.push(entry);
    expect(none).toEqual([]);
  });

  it('answers the readiness check while the bucket exists', async () => {
    await expect(storage.checkReady()).resolves.toBeUndefined();
  });
});
