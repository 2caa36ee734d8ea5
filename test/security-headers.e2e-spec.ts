import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest, { type Response } from 'supertest';
import { fixtures } from './support/fixtures.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ALLOWED = 'https://crm.example.com';
const OTHER = 'https://evil.example.net';

/** The hardening headers every answer carries. */
function expectHardened(response: Response, what: string): void {
  expect(response.headers['x-content-type-options'], what).toBe('nosniff');
  expect(response.headers['x-frame-options'], what).toBe('SAMEORIGIN');
  expect(response.headers['referrer-policy'], what).toBe('no-referrer');
  expect(response.headers['content-security-policy'], what).toMatch(/default-src 'self'/);
  expect(response.headers['content-security-policy'], what).not.toMatch(/upgrade-insecure-requests/);
  expect(response.headers['strict-transport-security'], what).toBeUndefined();
  expect(response.headers['x-request-id'], what).toBeTruthy();
}

/** For what the OpenAPI document does not describe (Swagger UI itself, CORS preflights). */
const undocumented = (t: TestApp) => supertest(t.app.getHttpServer());

const corsHeaders = (response: Response) => Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));

describe('security headers', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
  });
  afterAll(() => t?.close());

  it('hardens every answer, and API answers are not cached: JSON, problems, health, unknown routes', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);

    const ok = await t.http().get('/api/2.0/crm/files/root').set('Authorization', user.apiKey);
    expect(ok.status).toBe(200);
    const unauthorized = await t.http().get('/api/2.0/crm/files/root');
    expectProblem(unauthorized, 401);
    const missing = await t.http().get('/nowhere');
    expectProblem(missing, 404);
    const health = await t.http().get('/health');
    expect(health.status).toBe(200);

    for (const [what, response] of Object.entries({ ok, unauthorized, missing, health })) {
      expectHardened(response, what);
      expect(response.headers['cache-control'], what).toBe('no-store');
    }
  });

  it('sends a download with its own caching and a policy that never runs it as a page', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const fileId = await f.file(user, 'page.html', '<script>alert(1)</script>');

    const download = await t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', user.apiKey);

    expect(download.status).toBe(200);
    expect(download.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('private, no-cache');
  });

  it('keeps Swagger UI and its document served under the page policy', async () => {
    const page = await undocumented(t).get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-init.js');
    expectHardened(page, 'swagger ui');
    expect((await undocumented(t).get('/api/docs-json')).status).toBe(200);
  });

  it('answers no cross-origin request when CORS_ORIGINS is empty: no Access-Control-* header, even on a preflight', async () => {
    const simple = await t.http().get('/health').set('Origin', ALLOWED);
    expect(corsHeaders(simple)).toEqual([]);
    const preflight = await undocumented(t)
      .options('/api/2.0/crm/files/root')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(corsHeaders(preflight)).toEqual([]);
  });
});

describe('CORS with CORS_ORIGINS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ corsOrigins: [ALLOWED, 'http://localhost:5173'] });
  });
  afterAll(() => t?.close());

  it('answers a preflight from a listed origin, allowing the key header and the methods of the API', async () => {
    const preflight = await undocumented(t)
      .options('/api/2.0/crm/contact/1/files')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');

    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST, DELETE');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization, content-type, idempotency-key');
    expect(preflight.headers.vary).toMatch(/Origin/);
  });

  it('lets a listed origin read the answer and its headers', async () => {
    const response = await t.http().get('/api/2.0/crm/files/root').set('Origin', ALLOWED);
    expectProblem(response, 401);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
    expect(response.headers['access-control-expose-headers']).toMatch(/Retry-After/);
  });

  it('gives any other origin no CORS header at all', async () => {
    const preflight = await undocumented(t)
      .options('/api/2.0/crm/files/root')
      .set('Origin', OTHER)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(corsHeaders(preflight)).toEqual([]);
    expect(preflight.status).toBe(404);
    const simple = await t.http().get('/health').set('Origin', OTHER);
    expect(simple.status).toBe(200);
    expect(corsHeaders(simple)).toEqual([]);
  });
});
