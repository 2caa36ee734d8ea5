import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeContractViolations } from '../support/contract-violations.js';
import { fixtures } from '../support/fixtures.js';
import { historyRows } from '../support/history-rows.js';
import { fileRows, filesUnder } from '../support/stored-files.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { mutationsOf, operationsOf, requestFor, type GeneratedRequest, type IdPool, type Operation } from './request-arbitraries.js';

/**
 * Property-based tests of every operation of the served document (/api/docs-json): requests
 * drawn from its schemas, and the same requests with one rule broken. Whatever is sent:
 *  - never a 5xx;
 *  - a 4xx is a problem body, and changes nothing (rows of both tenants, webhook rows included, stored files);
 *  - every answer is one the document allows (the project check and openapi-backend).
 * Bounded: RUNS requests per operation and kind. fast-check prints the seed and the shrunk
 * request of a failure; FC_SEED=<seed> replays a run.
 */

const RUNS = 25;
const seed = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

describe('every operation, against generated and mutated requests', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let operations: Operation[];
  let apiKey: string;
  let adminKey: string;
  let tenantIds: number[];
  const pool: IdPool = { ids: [] };

  beforeAll(async () => {
    t = await startTestApp({ maxUploadBytes: 1024, maxJsonBytes: 64 * 1024 });
    const f = fixtures(t.app);
    // The caller's tenant, and a neighbour whose ids are in the pool too: cross-tenant ids are tried.
    const [mine, theirs] = [await f.tenant(), await f.tenant()];
    tenantIds = [mine.id, theirs.id];
    const caller = await f.user(mine.id);
    const neighbour = await f.user(theirs.id);
    const admin = await f.user(mine.id, { admin: true });
    apiKey = caller.apiKey;
    adminKey = admin.apiKey;
    const webhook = (key: string, url: string) =>
      t.http().post('/api/2.0/crm/webhooks').set('Authorization', key).send({ url }).expect(200);
    const [myWebhook, theirWebhook] = [
      await webhook(admin.apiKey, 'https://hooks.example.com/mine'),
      await webhook((await f.user(theirs.id, { admin: true })).apiKey, 'https://hooks.example.com/theirs'),
    ];
    pool.ids = [
      myWebhook.body.ID,
      theirWebhook.body.ID,
      await f.contact(mine.id),
      await f.contact(mine.id, { currency: null }),
      await f.entity('opportunity', mine.id, caller.id),
      await f.entity('case', mine.id, caller.id),
      ...(await f.files(caller, 4)),
      await f.contact(theirs.id),
      await f.file(neighbour),
    ];
    document = (await supertest(t.app.getHttpServer()).get('/api/docs-json')).body as OpenAPIObject;
    operations = operationsOf(document);
  });
  afterAll(() => t?.close());

  /** A tenant's webhooks, its outbox and the deliveries of its webhooks, as stored. */
  const webhookRows = async (tenantId: number) => ({
    subscriptions: await t.dataSource.query('SELECT * FROM webhook_subscriptions WHERE tenant_id = ? ORDER BY id', [tenantId]),
    events: await t.dataSource.query('SELECT * FROM webhook_events WHERE tenant_id = ? ORDER BY id', [tenantId]),
    deliveries: await t.dataSource.query(
      'SELECT d.* FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE s.tenant_id = ? ORDER BY d.id',
      [tenantId],
    ),
  });

  /** Everything a request could change: both tenants' file rows, events and links, webhook rows, and the stored files. */
  const snapshot = async () => {
    const files = fileRows(t.dataSource);
    const history = historyRows(t.dataSource);
    const perTenant = await Promise.all(
      tenantIds.map(async (id) => ({
        files: await files.ofTenant(id),
        events: await history.events(id),
        links: await history.links(id),
        webhooks: await webhookRows(id),
      })),
    );
    return { perTenant, stored: await filesUnder(t.config.filesDir) };
  };

  /** Webhooks are for tenant admins: their operations get an admin's key, to get past the 403. */
  const keyFor = (operation: Operation) => (operation.template.startsWith('/api/2.0/crm/webhooks') ? adminKey : apiKey);

  const send = (request: GeneratedRequest, operation: Operation) => {
    const path = operation.template.replace(/\{([^}]+)\}/g, (_whole, name: string) => request.path[name] ?? '');
    let call = t.http()[request.method.toLowerCase() as 'get' | 'post' | 'delete'](path).query(request.query);
    for (const [name, value] of Object.entries(request.headers)) call = call.set(name, value);
    // The body goes as the bytes given: no serialization by the client.
    if (request.body !== undefined) call = call.serialize((body: unknown) => body as string).send(request.body as string);
    return call.buffer(true).parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const json = /[/+]json\b/.test(String(response.headers['content-type'] ?? ''));
        try {
          done(null, json && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : bytes);
        } catch {
          done(null, bytes);
        }
      });
    });
  };

  /** The answer's form, checked inside the property so that fast-check reports the request. */
  const check = async (request: GeneratedRequest, operation: Operation) => {
    const before = await snapshot();
    const response = await send(request, operation);
    const what = `${operation.method} ${operation.template} ${request.broken ? `(${request.broken}) ` : ''}→ ${response.status}`;
    expect(response.status, what).toBeLessThan(500);
    expect(takeContractViolations(), what).toEqual([]);
    if (request.mustFail) expect(response.status, what).toBeGreaterThanOrEqual(400);
    if (response.status >= 400) {
      expect(response.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      expect(response.body, what).toMatchObject({
        status: response.status,
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
      });
      expect(await snapshot(), `${what} changed something`).toEqual(before);
    }
  };

  const forEachOperation = (kind: string, run: (operation: Operation) => Promise<void>) => {
    // The list of operations is known only once the app runs: one test walks them all, reporting each.
    it(`${kind}: never a 5xx, a 4xx changes nothing, every answer as documented`, async () => {
      expect(operations.length).toBeGreaterThanOrEqual(13);
      for (const operation of operations) await run(operation);
    }, 240_000);
  };

  forEachOperation('requests drawn from the document', async (operation) => {
    await fc.assert(
      fc.asyncProperty(requestFor(operation, document, pool, keyFor(operation)), (request) => check(request, operation)),
      { numRuns: RUNS, ...seed },
    );
  });

  forEachOperation('the same requests with one rule broken', async (operation) => {
    await fc.assert(
      fc.asyncProperty(requestFor(operation, document, pool, keyFor(operation)), mutationsOf(operation), (request, mutate) =>
        check(mutate(request), operation),
      ),
      { numRuns: RUNS, ...seed },
    );
  });
});
