import { Agent } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyRecord } from '../src/idempotency/entities/idempotency-record.entity.js';
import { IdempotencyStore } from '../src/idempotency/idempotency.store.js';
import { fixtures } from './support/fixtures.js';
import { expectInvalidFields, expectProblem } from './support/problem.js';
import { slowRequest } from './support/slow-request.js';
import { fileRows, filesUnder, multipartBody } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Idempotency-Key on the POSTs that create something: retries replay, never duplicate. */
describe('Idempotency-Key', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let tenantId: number;
  let user: Awaited<ReturnType<ReturnType<typeof fixtures>['user']>>;
  let other: typeof user;
  let contactId: number;
  let fileIds: number[];
  let keyCounter = 0;
  const newKey = () => `key-${process.pid}-${Date.now()}-${++keyCounter}`;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
    ({ tenantId } = await f.tenant());
    user = await f.user(tenantId);
    other = await f.user(tenantId);
    contactId = await f.contact(tenantId);
    fileIds = await f.files(user, 2);
  });
  afterAll(() => t?.close());

  const attach = (
    key: string | null,
    body: object = { fileids: fileIds },
    apiKey = user.apiKey,
    path = `/api/2.0/crm/contact/${contactId}/files`,
  ) => {
    const request = t.http().post(path).set('Authorization', apiKey);
    if (key !== null) request.set('Idempotency-Key', key);
    return request.send(body);
  };
  const rawUpload = (key: string, content: string, name = 'a.txt', type = 'text/plain') =>
    t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files/upload?attach=true`)
      .set('Authorization', user.apiKey)
      .set('Idempotency-Key', key)
      .set('Content-Type', type)
      .set('Content-Disposition', `attachment; filename="${name}"`)
      .send(Buffer.from(content));
  // This test's tenant only: other test files write to the same database at the same time.
  const count = async (table: string) =>
    Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`, [tenantId]))[0].n);
  const events = () => count('history_events');
  const files = () => count('files');

  it('replays the first answer to the same request, with Idempotent-Replayed, and creates nothing more', async () => {
    const key = newKey();
    const before = await events();
    const first = await attach(key);
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same JSON, spaced differently, is the same request.
    const again = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files`)
      .set('Authorization', user.apiKey)
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(`{ "fileids" : [${fileIds.join(' , ')}] }`);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toStrictEqual(first.body);
    expect(await events()).toBe(before + 1);
  });

  it('of many concurrent requests with one key exactly one runs: the others are 409 or replays of it', async () => {
    const key = newKey();
    const before = await events();
    const answers = await Promise.all(Array.from({ length: 8 }, () => attach(key)));
    const statuses = answers.map((answer) => answer.status);
    expect(
      statuses.every((status) => status === 200 || status === 409),
      JSON.stringify(statuses),
    ).toBe(true);
    const ok = answers.filter((answer) => answer.status === 200);
    expect(ok.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    for (const answer of ok) expect(answer.body).toStrictEqual(ok[0].body);
    expect(await events()).toBe(before + 1);
  });

  it('answers 422 to the same key with another body, path or query, and changes nothing', async () => {
    const key = newKey();
    expect((await attach(key)).status).toBe(200);
    const before = await events();
    expectProblem(await attach(key, { fileids: [fileIds[0]] }), 422);
    const otherContact = await f.contact(tenantId);
    expectProblem(await attach(key, { fileids: fileIds }, user.apiKey, `/api/2.0/crm/contact/${otherContact}/files`), 422);
    expectProblem(await attach(key, { fileids: fileIds }, user.apiKey, `/api/2.0/crm/contact/${contactId}/files?x=1`), 422);
    expect(await events()).toBe(before);
  });

  it('scopes keys to the API key: another key holder with the same key gets its own answer', async () => {
    const key = newKey();
    const before = await events();
    const mine = await attach(key);
    const theirs = await attach(key, { fileids: [] }, other.apiKey);
    // An empty fileids list is the other caller's own request: judged, not replayed nor refused.
    expect(mine.status).toBe(200);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.status).not.toBe(422);
    expect(await events()).toBe(before + 1 + (theirs.status === 200 ? 1 : 0));
  });

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['256 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
  ])('rejects a key that is %s with 400 and creates nothing', async (_case, key) => {
    const before = await events();
    const response = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files`)
      .set('Authorization', user.apiKey)
      .set('Idempotency-Key', Buffer.from(key, 'utf8').toString('latin1'))
      .send({ fileids: fileIds });
    expectInvalidFields(response, 'Idempotency-Key');
    expect(await events()).toBe(before);
  });

  it('accepts a key of 255 visible characters', async () => {
    expect((await attach('~'.repeat(255))).status).toBe(200);
  });

  it('stores answers below 500: a 404 is replayed as it was', async () => {
    const key = newKey();
    const first = await attach(key, { fileids: [2_000_000_000] });
    expectProblem(first, 404);
    const again = await attach(key, { fileids: [2_000_000_000] });
    expectProblem(again, 404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toStrictEqual(first.body);
  });

  it('covers text files and history events too', async () => {
    const key = newKey();
    const text = () =>
      t
        .http()
        .post(`/api/2.0/crm/contact/${contactId}/files/text`)
        .set('Authorization', user.apiKey)
        .set('Idempotency-Key', key)
        .send({ title: 'Notes', content: 'hello' });
    const filesBefore = await files();
    const first = await text();
    expect(first.status).toBe(200);
    expect((await text()).body).toStrictEqual(first.body);
    expect(await files()).toBe(filesBefore + 1);

    const categories = await t.http().get('/api/2.0/crm/history/category').set('Authorization', user.apiKey);
    const note = categories.body.find((category: { Title: string }) => category.Title === 'Note').ID;
    const eventKey = newKey();
    const post = () =>
      t
        .http()
        .post('/api/2.0/crm/history')
        .set('Authorization', user.apiKey)
        .set('Idempotency-Key', eventKey)
        .send({ contactId, categoryId: note, content: 'Called back' });
    const eventsBefore = await events();
    const created = await post();
    expect(created.status).toBe(200);
    const replayed = await post();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toStrictEqual(created.body);
    expect(await events()).toBe(eventsBefore + 1);
  });

  describe('uploads', () => {
    it('replays a raw upload with the same bytes and headers; other bytes, name or type are 422', async () => {
      const key = newKey();
      const filesBefore = await files();
      const first = await rawUpload(key, 'same bytes');
      expect(first.status).toBe(200);
      const again = await rawUpload(key, 'same bytes');
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toStrictEqual(first.body);
      expectProblem(await rawUpload(key, 'other bytes'), 422);
      expectProblem(await rawUpload(key, 'same bytes', 'b.txt'), 422);
      expectProblem(await rawUpload(key, 'same bytes', 'a.txt', 'text/csv'), 422);
      expect(await files()).toBe(filesBefore + 1);
      expect((await filesUnder(t.config.filesDir)).filter((path) => path.startsWith('staging'))).toStrictEqual([]);
    });

    it('replays a multipart upload sent again with another boundary; other parts are 422', async () => {
      const key = newKey();
      const send = (content: string) => {
        const { body, contentType } = multipartBody([{ field: 'file', filename: 'm.txt', contentType: 'text/plain', content }]);
        return t
          .http()
          .post(`/api/2.0/crm/contact/${contactId}/files/upload`)
          .set('Authorization', user.apiKey)
          .set('Idempotency-Key', key)
          .set('Content-Type', contentType)
          .send(body);
      };
      const filesBefore = await files();
      const first = await send('multipart content');
      expect(first.status).toBe(200);
      const again = await send('multipart content');
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toStrictEqual(first.body);
      expectProblem(await send('changed content'), 422);
      expect(await files()).toBe(filesBefore + 1);
    });

    it('answers 409 while the first request with the key is still running, then replays its answer', async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const url = await t.app.getUrl();
      const key = newKey();
      const agent = new Agent({ keepAlive: false });
      const headers = {
        Authorization: user.apiKey,
        'Idempotency-Key': key,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': 'attachment; filename="slow.bin"',
      };
      const filesBefore = await files();
      const slow = slowRequest(agent, url, {
        path: `/api/2.0/crm/contact/${contactId}/files/upload`,
        headers,
        first: 'first half ',
        rest: 'second half',
      });
      await sleep(300);
      const during = slowRequest(agent, url, {
        path: `/api/2.0/crm/contact/${contactId}/files/upload`,
        headers,
        first: 'first half ',
        rest: 'second half',
      });
      during.finish();
      const conflict = await during.answer;
      expect(conflict.status).toBe(409);
      expect(JSON.parse(conflict.body)).toMatchObject({ status: 409, type: '/problems/idempotency-key-in-use' });

      slow.finish();
      const done = await slow.answer;
      expect(done.status).toBe(200);
      const retry = slowRequest(agent, url, {
        path: `/api/2.0/crm/contact/${contactId}/files/upload`,
        headers,
        first: 'first half ',
        rest: 'second half',
      });
      retry.finish();
      const replayed = await retry.answer;
      expect(replayed.status).toBe(200);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(JSON.parse(replayed.body)).toStrictEqual(JSON.parse(done.body));
      expect(await files()).toBe(filesBefore + 1);
      agent.destroy();
    });

    it('does not store an upload that failed before its body was read: the key is free again', async () => {
      const key = newKey();
      // No Content-Disposition: 400 before a byte is read.
      const missingName = await t
        .http()
        .post(`/api/2.0/crm/contact/${contactId}/files/upload`)
        .set('Authorization', user.apiKey)
        .set('Idempotency-Key', key)
        .set('Content-Type', 'text/plain')
        .send('x');
      expectProblem(missingName, 400);
      expect((await rawUpload(key, 'now named')).status).toBe(200);
    });
  });

  it('frees the key after a 5xx, so that a retry runs again', async () => {
    // Storage that cannot be written (its root is a file) makes every upload fail with 500.
    const root = join(tmpdir(), `crm-files-not-a-folder-${process.pid}-${Date.now()}`);
    await writeFile(root, 'x');
    const broken = await startTestApp({ filesDir: root });
    try {
      const g = fixtures(broken.app);
      const { tenantId: brokenTenant } = await g.tenant();
      const someone = await g.user(brokenTenant);
      const contact = await g.contact(brokenTenant);
      const upload = () =>
        broken
          .http()
          .post(`/api/2.0/crm/contact/${contact}/files/upload`)
          .set('Authorization', someone.apiKey)
          .set('Idempotency-Key', 'after-a-crash')
          .set('Content-Type', 'text/plain')
          .set('Content-Disposition', 'attachment; filename="x.txt"')
          .send('x');
      expectProblem(await upload(), 500);
      const retry = await upload();
      expectProblem(retry, 500);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await broken.dataSource.getRepository(IdempotencyRecord).countBy({ apiKeyId: someone.apiKeyId })).toBe(0);
      expect(await fileRows(broken.dataSource).ofTenant(brokenTenant)).toStrictEqual([]);
    } finally {
      await broken.close();
    }
  });

  it('removes expired records, and a marker abandoned by a crashed process stops blocking its key', async () => {
    const store = t.app.get(IdempotencyStore);
    const key = newKey();
    const { createHash } = await import('node:crypto');
    const keyHash = createHash('sha256').update(key).digest('hex');
    // A marker whose request never finished, past its lifetime (a process killed mid-request).
    const records = t.dataSource.getRepository(IdempotencyRecord);
    await records.insert({
      apiKeyId: user.apiKeyId,
      keyHash,
      requestHash: null,
      responseStatus: null,
      responseBody: null,
      createdAt: new Date(Date.now() - 7_200_000),
      expiresAt: new Date(Date.now() - 1000),
    });
    const response = await attach(key);
    expect(response.status).toBe(200);
    expect(response.headers['idempotent-replayed']).toBeUndefined();

    const stored = await records.findOneByOrFail({ apiKeyId: user.apiKeyId, keyHash });
    expect(stored).toMatchObject({ responseStatus: 200, requestHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(stored.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);

    await records.update({ id: stored.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await store.removeExpired()).toBeGreaterThanOrEqual(1);
    expect(await records.countBy({ keyHash })).toBe(0);
  });
});
