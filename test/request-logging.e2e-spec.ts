import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinoNestLogger } from '../src/logging/pino-nest-logger.js';
import { requestContext } from '../src/logging/request-context.js';
import { createRootLogger } from '../src/logging/root-logger.js';
import { fixtures } from './support/fixtures.js';
import { LogLines } from './support/log-lines.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Request ids and one JSON log line per request, never holding a key or a body. */
describe('request ids and logs', () => {
  let t: TestApp;
  let logs: LogLines;
  let f: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    logs = new LogLines();
    t = await startTestApp({}, { logDestination: logs });
    f = fixtures(t.app);
  });
  afterAll(() => t?.close());

  /** The line is written when the connection is done with the answer: give it a moment. */
  const completedLine = async (requestId: string) => {
    await expect.poll(() => logs.ofRequest(requestId).filter((line) => line.msg === 'request completed').length).toBe(1);
    return logs.ofRequest(requestId).find((line) => line.msg === 'request completed')!;
  };

  it('logs one JSON line per request: time, level, request id, method, route template, status, duration, tenant and user', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const secret = 'The body of this text file must never reach a log line';

    const response = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files/text`)
      .set('Authorization', `Bearer ${user.apiKey}`)
      .send({ title: 'Call notes', content: secret });

    expect(response.status).toBe(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(GENERATED_ID);
    const line = await completedLine(requestId);
    expect(line).toMatchObject({
      level: 'info',
      requestId,
      method: 'POST',
      route: '/api/2.0/crm/:entityType/:entityid/files/text',
      status: 200,
      tenantId: tenant.id,
      userId: user.id,
    });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.durationMs as number).toBeGreaterThan(0);
    expect(logs.text).not.toContain(user.apiKey);
    expect(logs.text).not.toContain(secret);
    expect(logs.text).not.toContain(String(contactId) + '/files');
  });

  it('echoes a sane X-Request-Id and uses it in the log line; replaces anything else with a new id', async () => {
    const sane = 'lb-7f3a.2026:12:01_x'.replace('_', '-');
    const echoed = await t.http().get('/health').set('X-Request-Id', sane);
    expect(echoed.headers['x-request-id']).toBe(sane);
    expect(await completedLine(sane)).toMatchObject({ route: '/health', status: 200, method: 'GET' });

    for (const insane of ['has space', 'x'.repeat(129), 'quote"', 'ünï', '']) {
      const response = await t.http().get('/health').set('X-Request-Id', insane);
      expect(response.headers['x-request-id'], insane).toMatch(GENERATED_ID);
    }
    expect((await t.http().get('/health').set('X-Request-Id', 'y'.repeat(128))).headers['x-request-id']).toBe('y'.repeat(128));
  });

  it('answers every failure with an X-Request-Id too: 401, 404, 413, a bad URL, and the route template of an unknown route is not its URL', async () => {
    const unauthorized = await t.http().get('/api/2.0/crm/files/root').set('Authorization', 'not-a-key');
    expectProblem(unauthorized, 401);
    expect(unauthorized.headers['x-request-id']).toMatch(GENERATED_ID);
    expect(await completedLine(unauthorized.headers['x-request-id'])).toMatchObject({ status: 401, route: '/api/2.0/crm/files/root' });
    expect(logs.text).not.toContain('not-a-key');

    const missing = await t.http().get('/no/such/route/12345');
    expectProblem(missing, 404);
    expect(await completedLine(missing.headers['x-request-id'])).toMatchObject({ status: 404, route: 'unmatched' });
    expect(logs.text).not.toContain('12345');

    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const tooLarge = await t
      .http()
      .post('/api/2.0/crm/history')
      .set('Authorization', user.apiKey)
      .set('Content-Type', 'application/json')
      .send('{"content":"' + 'x'.repeat(t.config.maxJsonBytes) + '"}');
    expectProblem(tooLarge, 413);
    expect(tooLarge.headers['x-request-id']).toMatch(GENERATED_ID);

    const badUrl = await t.http().get('/api/2.0/crm/files/%E0%A4%A/content').set('X-Request-Id', 'bad-url-1');
    expectProblem(badUrl, 400);
    expect(badUrl.headers['x-request-id']).toBe('bad-url-1');
  });

  it('answers malformed HTTP (below the framework) with a request id as well', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}\r\n/i);
  });

  it('logs a client that leaves mid-upload as such, at info, and nothing at error or warn', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    await t.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => undefined);
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const requestId = `leaver-${Date.now()}`;

    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /api/2.0/crm/contact/${contactId}/files/upload HTTP/1.1\r\nHost: x\r\nAuthorization: ${user.apiKey}\r\n` +
            `X-Request-Id: ${requestId}\r\nContent-Type: application/octet-stream\r\n` +
            `Content-Disposition: attachment; filename="big.bin"\r\nContent-Length: 1000000\r\n\r\n`,
        );
        socket.write(Buffer.alloc(64 * 1024, 1));
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 300);
      });
    });

    await expect.poll(() => logs.ofRequest(requestId).some((line) => line.clientDisconnected === true), { timeout: 5_000 }).toBe(true);
    const lines = logs.ofRequest(requestId);
    expect(lines.find((line) => line.clientDisconnected)).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/api/2.0/crm/:entityType/:entityid/files/upload',
      tenantId: tenant.id,
      userId: user.id,
    });
    expect(lines.filter((line) => line.level === 'error' || line.level === 'warn' || line.level === 'fatal')).toEqual([]);
    expect(logs.text).not.toContain(user.apiKey);
  });

  it("writes Nest's own messages as JSON lines too", () => {
    expect(logs.lines().some((line) => line.context === 'NestApplication' && line.level === 'info')).toBe(true);
  });
});

describe('the lines written while a request is served', () => {
  let t: TestApp;
  let logs: LogLines;

  beforeAll(async () => {
    logs = new LogLines();
    t = await startTestApp({}, { logDestination: logs });
  });
  afterAll(() => t?.close());

  it("carry that request's id: an error logged by the problem filter after the database went away", async () => {
    const f = fixtures(t.app);
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const body = JSON.stringify({ fileids: [1] });
    await t.dataSource.destroy();

    // Not through the contract-checking agent: what a broken database answers is not the point here.
    const response = await supertest(t.app.getHttpServer())
      .post('/api/2.0/crm/contact/1/files')
      .set('Authorization', user.apiKey)
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'broken-db-1')
      .send(body);

    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(response.headers['x-request-id']).toBe('broken-db-1');
    await expect
      .poll(() => logs.ofRequest('broken-db-1').map((line) => line.level))
      .toEqual([expect.stringMatching(/^(warn|error)$/), 'info']);
    const [problem, completed] = logs.ofRequest('broken-db-1');
    expect(problem.context).toBe('ProblemDetails');
    expect(completed).toMatchObject({
      msg: 'request completed',
      status: response.status,
      route: '/api/2.0/crm/:entityType/:entityid/files',
    });
    expect(logs.text).not.toContain(user.apiKey);
    expect(logs.text).not.toContain(body);
  });
});

describe("Nest's logger through pino", () => {
  it('puts the request id of the request being served on every line, and redacts an Authorization header logged by mistake', () => {
    const logs = new LogLines();
    const root = createRootLogger('info', logs);
    const nest = new PinoNestLogger(root);
    nest.log('outside', 'Bootstrap');
    requestContext.run({ log: root.child({ requestId: 'req-1' }) }, () => {
      nest.warn('inside', 'Somewhere');
      nest.error('failed', 'Error: failed\n    at somewhere (file.ts:1:1)', 'Filter');
      root.info({ headers: { authorization: 'Bearer k3y' } }, 'oops');
    });
    const lines = logs.lines();
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'outside', context: 'Bootstrap' });
    expect(lines[0].requestId).toBeUndefined();
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'inside', context: 'Somewhere', requestId: 'req-1' });
    expect(lines[2]).toMatchObject({ level: 'error', msg: 'failed', context: 'Filter', requestId: 'req-1' });
    expect(lines[2].stack).toContain('at somewhere');
    expect(logs.text).not.toContain('k3y');
  });

  it('writes nothing below LOG_LEVEL', () => {
    const logs = new LogLines();
    const nest = new PinoNestLogger(createRootLogger('warn', logs));
    nest.log('info line');
    nest.debug('debug line');
    nest.warn('warn line');
    expect(logs.lines().map((line) => line.msg)).toEqual(['warn line']);
  });
});
