import { describe, expect, it } from 'vitest';
import supertest, { type Response } from 'supertest';
import { NO_SUCH_ID } from './support/constants.js';
import { fixtures } from './support/fixtures.js';
import { historyRows } from './support/history-rows.js';
import { expectNoInternals, expectProblem } from './support/problem.js';
import { useTestApp } from './support/use-test-app.js';

/** Problem bodies on every error with nothing internal leaked (see docs/contract.md, "Errors"), 415, 413, 400, unknown routes, and health. */

describe('errors', () => {
  const { t, f, rows } = useTestApp();

  /** A tenant whose admin could attach a file to a contact: only what the test changes can fail. */
  const scene = async () => {
    const [demo] = await f.demo();
    const path = `/api/2.0/crm/contact/${demo.contacts.person}/files`;
    const post = () => t.http().post(path).set('Authorization', demo.users.admin.apiKey);
    const json = (text: string) => post().set('Content-Type', 'application/json').send(text);
    return { demo, path, post, json, validBody: JSON.stringify({ fileids: demo.files.admin }) };
  };

  describe('every error is application/problem+json with type, title, status and detail, and leaks nothing', () => {
    it('given one request for every kind of error, each answer is a problem body whose status matches the HTTP status', async () => {
      const { demo, path, post, json } = await scene();
      const [, other] = await f.demo();
      const key = demo.users.admin.apiKey;
      const requests: { name: string; status: number; send: () => PromiseLike<Response> }[] = [
        {
          name: 'no key',
          status: 401,
          send: () =>
            t
              .http()
              .post(path)
              .send({ fileids: [1] }),
        },
        { name: 'text/plain', status: 415, send: () => post().set('Content-Type', 'text/plain').send('hello') },
        { name: 'no content type', status: 415, send: () => post().send(Buffer.from('{"fileids":[1]}')) },
        { name: 'malformed JSON', status: 400, send: () => json('{"fileids": [1,') },
        { name: 'empty JSON body', status: 400, send: () => json('') },
        { name: 'JSON array', status: 400, send: () => json('[1, 2]') },
        { name: 'invalid field', status: 400, send: () => json('{"fileids": "1"}') },
        {
          name: 'bad path id',
          status: 400,
          send: () =>
            t
              .http()
              .post('/api/2.0/crm/contact/01/files')
              .set('Authorization', key)
              .send({ fileids: [1] }),
        },
        {
          name: 'missing record',
          status: 404,
          send: () =>
            t
              .http()
              .post(`/api/2.0/crm/case/${NO_SUCH_ID}/files`)
              .set('Authorization', key)
              .send({ fileids: [1] }),
        },
        { name: 'missing files', status: 404, send: () => post().send({ fileids: other.files.admin }) },
        { name: 'unknown route', status: 404, send: () => t.http().get('/api/2.0/crm/nothing-here').set('Authorization', key) },
        {
          name: 'unknown method',
          status: 404,
          send: () =>
            t
              .http()
              .put(path)
              .set('Authorization', key)
              .send({ fileids: [1] }),
        },
      ];

      const responses = await rows.unchangedBy([demo.id, other.id], async () => {
        const answers = [];
        for (const request of requests) answers.push({ name: request.name, status: request.status, response: await request.send() });
        return answers;
      });

      for (const { name, status, response } of responses) {
        expect({ name, status: response.status }).toEqual({ name, status });
        expectProblem(response, status);
        expectNoInternals(response);
      }
    });
  });

  describe('415: JSON routes take only application/json', () => {
    it('given Content-Type text/plain carrying valid JSON, the answer is 415 and nothing is written', async () => {
      const { demo, post, validBody } = await scene();

      const response = await rows.unchangedBy([demo.id], () => post().set('Content-Type', 'text/plain').send(validBody));

      expectProblem(response, 415);
    });

    it('given a JSON body without Content-Type, the answer is 415 and nothing is written', async () => {
      const { demo, post, validBody } = await scene();

      const response = await rows.unchangedBy([demo.id], () => post().send(Buffer.from(validBody)));

      expectProblem(response, 415);
    });

    it('given no body and no Content-Type, the answer is 415', async () => {
      const { post } = await scene();

      expectProblem(await post(), 415);
    });

    it.each(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx'])(
      'given Content-Type %s, the answer is 415',
      async (contentType) => {
        const { post, validBody } = await scene();

        expectProblem(await post().set('Content-Type', contentType).send(validBody), 415);
      },
    );

    it('given Content-Type application/json with a charset, the body is accepted', async () => {
      const { post, validBody } = await scene();

      const response = await post().set('Content-Type', 'application/json; charset=utf-8').send(validBody);

      expect(response.status).toBe(200);
    });
  });

  describe('413: JSON bodies are limited to MAX_JSON_BYTES', () => {
    const { t: small } = useTestApp({ maxJsonBytes: 100 });

    const padded = (fileids: number[], bytes: number) => {
      const body = JSON.stringify({ fileids });
      return body + ' '.repeat(bytes - Buffer.byteLength(body));
    };

    it('given MAX_JSON_BYTES 100, a body of exactly 100 bytes is accepted', async () => {
      const [demo] = await fixtures(small.app).demo();

      const response = await small
        .http()
        .post(`/api/2.0/crm/contact/${demo.contacts.person}/files`)
        .set('Authorization', demo.users.admin.apiKey)
        .set('Content-Type', 'application/json')
        .send(padded(demo.files.admin, 100));

      expect(response.status).toBe(200);
    });

    it('given MAX_JSON_BYTES 100, a valid body of 101 bytes is 413 and nothing is written', async () => {
      const [demo] = await fixtures(small.app).demo();

      const response = await historyRows(small.dataSource).unchangedBy([demo.id], () =>
        small
          .http()
          .post(`/api/2.0/crm/contact/${demo.contacts.person}/files`)
          .set('Authorization', demo.users.admin.apiKey)
          .set('Content-Type', 'application/json')
          .send(padded(demo.files.admin, 101)),
      );

      expectProblem(response, 413);
      expectNoInternals(response);
    });

    it('given MAX_JSON_BYTES 100, a much larger body is 413, and the connection still answers the next request', async () => {
      const [demo] = await fixtures(small.app).demo();
      const agent = small.http();
      const path = `/api/2.0/crm/contact/${demo.contacts.person}/files`;

      const large = await agent
        .post(path)
        .set('Authorization', demo.users.admin.apiKey)
        .set('Content-Type', 'application/json')
        .send(padded(demo.files.admin, 200_000));
      const next = await agent.post(path).set('Authorization', demo.users.admin.apiKey).send({ fileids: demo.files.admin });

      expectProblem(large, 413);
      expect(next.status).toBe(200);
    });
  });

  describe('400: the body must be a JSON object', () => {
    it.each([
      { name: 'malformed JSON', text: '{"fileids": [1,' },
      { name: 'a trailing comma', text: '{"fileids": [1],}' },
      { name: 'single quotes', text: "{'fileids': [1]}" },
      { name: 'an empty body', text: '' },
      { name: 'only whitespace', text: '   ' },
      { name: 'a JSON array', text: '[{"fileids": [1]}]' },
      { name: 'a bare string', text: '"fileids"' },
      { name: 'a bare number', text: '42' },
      { name: 'null', text: 'null' },
      { name: 'true', text: 'true' },
      { name: 'a __proto__ key', text: '{"fileids": [1], "__proto__": {"isAdmin": true}}' },
      { name: 'a nested __proto__ key', text: '{"fileids": [1], "x": {"__proto__": {"polluted": true}}}' },
      { name: 'a constructor.prototype key', text: '{"fileids": [1], "constructor": {"prototype": {"polluted": true}}}' },
      { name: 'a number beyond any double (1e400)', text: '{"fileids": [1e400]}' },
      { name: 'an id beyond 2^53', text: '{"fileids": [9007199254740993]}' },
    ])('given $name, the answer is a 400 problem and nothing is written', async ({ text }) => {
      const { demo, json } = await scene();

      const response = await rows.unchangedBy([demo.id], () => json(text));

      expectProblem(response, 400);
      expectNoInternals(response);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });
  });

  it('given malformed JSON without a key, the answer is 401: authentication is judged before the body', async () => {
    const [demo] = await f.demo();

    const response = await t
      .http()
      .post(`/api/2.0/crm/contact/${demo.contacts.person}/files`)
      .set('Content-Type', 'application/json')
      .send('{"fileids": [1,');

    expectProblem(response, 401);
  });

  describe('404: unknown routes and methods', () => {
    it.each([
      { method: 'get', url: '/api/2.0/crm/nothing-here' },
      { method: 'get', url: '/nothing-here' },
      { method: 'post', url: '/api/2.0/crm/contact/1/notes' },
      { method: 'post', url: '/api/2.0/crm/contact/1/files/extra/segment' },
      { method: 'put', url: '/api/2.0/crm/contact/1/files' },
      { method: 'patch', url: '/api/2.0/crm/contact/1/files' },
      { method: 'put', url: '/health' },
    ] as const)('given $method $url, the answer is a 404 problem', async ({ method, url }) => {
      const [demo] = await f.demo();

      const response = await t
        .http()
        [method](url)
        .set('Authorization', demo.users.admin.apiKey)
        .send({ fileids: [1] });

      expectProblem(response, 404);
      expectNoInternals(response);
    });

    it('given an unknown route without any key, the answer is still a 404 problem', async () => {
      expectProblem(await t.http().get('/api/2.0/crm/nothing-here'), 404);
    });
  });

  describe('health', () => {
    // Health checks are for orchestrators and stay out of the API's OpenAPI document, so they
    // are requested without the harness's document check.
    const probe = () => supertest(t.app.getHttpServer());

    it('given the process is up, GET /health answers 200 without a key', async () => {
      const response = await probe().get('/health');

      expect(response.status).toBe(200);
    });

    it('given the database answers, GET /health/ready answers 200 without a key', async () => {
      const response = await probe().get('/health/ready');

      expect(response.status).toBe(200);
    });
  });
});
