import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** What reaches the service before Nest does is still answered with a problem body. */
describe('errors raised below the application', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t?.close());

  /** Sends bytes as they are, for requests no HTTP client would build. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(request));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  const parse = (answer: string) => {
    const [head, body] = answer.split('\r\n\r\n');
    return { statusLine: head.split('\r\n')[0], head: head.toLowerCase(), body: JSON.parse(body) };
  };

  it('a URL with broken percent-encoding is a 400 problem', async () => {
    const response = await t.http().get('/api/2.0/crm/files/%ZZ/content');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: '/problems/invalid-request', status: 400 });
    expect(JSON.stringify(response.body)).not.toContain('FST_');
  });

  it('a Content-Length that is not a number is a 400 problem', async () => {
    const answer = parse(await raw('POST /api/2.0/crm/contact/1/files HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.head).toContain('content-type: application/problem+json');
    expect(answer.body).toMatchObject({ type: '/problems/invalid-request', status: 400 });
  });

  it('headers that are too large are a 431 problem', async () => {
    const answer = parse(await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.body).toMatchObject({ type: '/problems/headers-too-large', status: 431 });
  });

  it('HEAD is not a method of the API: 404', async () => {
    const response = await t.http().head('/api/2.0/crm/files/root');
    expect(response.status).toBe(404);
  });

  describe('a Content-Type that is not a media type', () => {
    for (const contentType of ['not a mime type', '/', 'application/', 'text']) {
      it(`"${contentType}" without a key is 401 first`, async () => {
        const response = await t.http().post('/api/2.0/crm/contact/1/files').set('Content-Type', contentType).send('{"fileids":[1]}');
        expect(response.status).toBe(401);
        expect(response.body.type).toBe('/problems/unauthorized');
      });
    }

    it('with a key, on a JSON route and on upload, is the 415 problem', async () => {
      const f = fixtures(t.app);
      const { tenantId } = await f.tenant();
      const user = await f.user(tenantId);
      const contact = await f.contact(tenantId);
      for (const path of [`/api/2.0/crm/contact/${contact}/files`, `/api/2.0/crm/contact/${contact}/files/upload`]) {
        const response = await t
          .http()
          .post(path)
          .set(user.auth)
          .set('Content-Type', 'not a mime type')
          .set('Content-Disposition', 'attachment; filename="a.txt"')
          .send('{"fileids":[1]}');
        expect(response.status, path).toBe(415);
        expect(response.body).toMatchObject({ type: '/problems/unsupported-media-type', status: 415 });
      }
      expect(await t.dataSource.query(`SELECT id FROM files WHERE tenant_id = ${tenantId}`)).toEqual([]);
    });
  });
});
