import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Ajv } from 'ajv';
import type { OpenAPIBackend } from 'openapi-backend';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './support/fixtures.js';
import { IndependentValidator, openApiBackendFor } from './support/independent-validator.js';
import { OpenApiContract } from './support/openapi-contract.js';
import { multipartBody } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The document against outside tools: what the service rightly answers (null references, any
 * letter case in entityType, any multipart field name) must be what the document allows, read
 * by OpenAPI 3.0's rules exactly. The answers of every e2e suite also pass through
 * openapi-backend (test/support/independent-validator.ts); these tests pin the cases found.
 */

/** A tiny document whose one answer has a nullable reference, written as `nullable` is given. */
const documentWith = (reference: Record<string, unknown>): OpenAPIObject =>
  ({
    openapi: '3.0.0',
    info: { title: 'probe', version: '1' },
    paths: {
      '/probe': {
        get: {
          operationId: 'probe',
          responses: {
            200: {
              description: 'ok',
              content: { 'application/json': { schema: { type: 'object', required: ['thing'], properties: { thing: reference } } } },
            },
          },
        },
      },
    },
    components: { schemas: { Thing: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } } } },
  }) as OpenAPIObject;

const LENIENT_FORM = { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Thing' }] };
const answer = (body: unknown) => ({ method: 'GET', path: '/probe', status: 200, contentType: 'application/json', body });

describe('validators apply OpenAPI 3.0 as outside tools do', () => {
  it('`{nullable: true, allOf: [$ref]}` forbids null: the project check and openapi-backend both say so', async () => {
    const document = documentWith(LENIENT_FORM);
    expect(new OpenApiContract(document).check(answer({ thing: null }))).not.toEqual([]);
    expect((await IndependentValidator.create(document)).check(answer({ thing: null }))).not.toEqual([]);
    expect(new OpenApiContract(document).check(answer({ thing: { a: 'x' } }))).toEqual([]);
  });

  it('the form the document now uses, anyOf [$ref, null-only], admits null and the object, and nothing else', async () => {
    const document = documentWith({ anyOf: [{ $ref: '#/components/schemas/Thing' }, { type: 'object', nullable: true, enum: [null] }] });
    const ours = new OpenApiContract(document);
    const theirs = await IndependentValidator.create(document);
    for (const body of [{ thing: null }, { thing: { a: 'x' } }]) {
      expect(ours.check(answer(body)), JSON.stringify(body)).toEqual([]);
      expect(theirs.check(answer(body)), JSON.stringify(body)).toEqual([]);
    }
    for (const body of [{ thing: {} }, { thing: 'x' }, { thing: { a: 1 } }]) {
      expect(ours.check(answer(body)), JSON.stringify(body)).not.toEqual([]);
      expect(theirs.check(answer(body)), JSON.stringify(body)).not.toEqual([]);
    }
  });
});

describe('the served document against real answers', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let document: OpenAPIObject;
  let backend: OpenAPIBackend;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
    // The document itself is not a route of the document: fetched without the contract check.
    document = (await supertest(t.app.getHttpServer()).get('/api/docs-json')).body as OpenAPIObject;
    backend = await openApiBackendFor(document);
  });
  afterAll(() => t?.close());

  it('has no nullable reference left in the form validators read as "never null"', () => {
    const offenders: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (schema.nullable === true && (schema.allOf || schema.$ref)) offenders.push(where);
      for (const [key, value] of Object.entries(schema)) walk(value, `${where}/${key}`);
    };
    walk(document, '#');
    expect(offenders).toEqual([]);
  });

  it('null Contact, Entity and Currency in the answers of attach, POST /history, GET /history/filter and DELETE /history/{id} pass both validators', async () => {
    // Every answer below goes through the project check and openapi-backend (test-app.ts);
    // these assertions make sure the answers really carry the nulls.
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id, { currency: null });
    const opportunityId = await f.entity('opportunity', tenant.id, caller.id);
    const fileId = await f.file(caller);
    const onContact = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files`)
      .set('Authorization', caller.apiKey)
      .send({ fileids: [fileId] });
    expect(onContact.status).toBe(200);
    expect(onContact.body).toMatchObject({ Entity: null, Contact: { ID: contactId, Currency: null } });
    const onOpportunity = await t
      .http()
      .post(`/api/2.0/crm/opportunity/${opportunityId}/files`)
      .set('Authorization', caller.apiKey)
      .send({ fileids: [fileId] });
    expect(onOpportunity.status).toBe(200);
    expect(onOpportunity.body).toMatchObject({ Contact: null, Entity: { EntityId: opportunityId } });
    const posted = await t
      .http()
      .post('/api/2.0/crm/history')
      .set('Authorization', caller.apiKey)
      .send({ content: 'called', categoryId: -1, entityType: 'opportunity', entityId: opportunityId });
    expect(posted.status).toBe(200);
    expect(posted.body.Contact).toBeNull();
    const listed = await t
      .http()
      .get('/api/2.0/crm/history/filter')
      .query({ entityType: 'opportunity', entityId: opportunityId })
      .set('Authorization', caller.apiKey);
    expect(listed.status).toBe(200);
    expect(listed.body.length).toBeGreaterThan(0);
    const deleted = await t.http().delete(`/api/2.0/crm/history/${posted.body.ID}`).set('Authorization', caller.apiKey);
    expect(deleted.status).toBe(200);
    expect(deleted.body.Contact).toBeNull();
    // And the same answers, checked here again explicitly.
    for (const [path, method, status, body] of [
      [`/api/2.0/crm/opportunity/${opportunityId}/files`, 'POST', 200, onOpportunity.body],
      ['/api/2.0/crm/history/filter', 'GET', 200, listed.body],
      [`/api/2.0/crm/history/${posted.body.ID}`, 'DELETE', 200, deleted.body],
    ] as const) {
      const operation = backend.matchOperation({ method, path, headers: {} });
      expect(operation, path).toBeTruthy();
      expect(backend.validator.validateResponse(body, operation!, status).errors, path).toBeNull();
    }
  });

  it.each(['CONTACT', 'Contact', 'cOnTaCt'])(
    'entityType %s: the service answers 200 and the document accepts the request',
    async (spelling) => {
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);
      const fileId = await f.file(caller);
      const path = `/api/2.0/crm/${spelling}/${contactId}/files`;
      const response = await t
        .http()
        .post(path)
        .set('Authorization', caller.apiKey)
        .send({ fileids: [fileId] });
      expect(response.status).toBe(200);
      const listed = await t.http().get(path).set('Authorization', caller.apiKey);
      expect(listed.status).toBe(200);
      const request = {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', authorization: caller.apiKey },
        body: { fileids: [fileId] },
      };
      expect(backend.validateRequest(request).errors).toBeNull();
    },
  );

  it.each(['contacts', 'person', 'contact '])('entityType %j is not one the document accepts (nor the service: 400)', async (spelling) => {
    const path = `/api/2.0/crm/${encodeURIComponent(spelling)}/1/files`;
    const request = {
      method: 'POST',
      path: `/api/2.0/crm/${spelling}/1/files`,
      headers: { 'content-type': 'application/json' },
      body: { fileids: [1] },
    };
    expect(backend.validateRequest(request).valid).toBe(false);
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const response = await t
      .http()
      .post(path)
      .set('Authorization', caller.apiKey)
      .send({ fileids: [1] });
    expect(response.status).toBe(400);
  });

  it('the multipart form accepts a file part under any field name, and asks for at least one part', async () => {
    const upload = document.paths['/api/2.0/crm/{entityType}/{entityid}/files/upload'].post!;
    const schema = (upload.requestBody as { content: Record<string, { schema: Record<string, unknown> }> }).content['multipart/form-data']
      .schema;
    const ajv = new Ajv({ strict: false });
    ajv.addFormat('binary', true);
    const validate = ajv.compile({ ...fromSchema(structuredClone(schema)), $schema: undefined });
    expect(validate({ attachment: 'bytes' })).toBe(true);
    expect(validate({ file: 'bytes' })).toBe(true);
    expect(validate({})).toBe(false);

    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const { body, contentType } = multipartBody([
      { field: 'attachment', filename: 'any-field.txt', contentType: 'text/plain', content: 'x' },
    ]);
    const response = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files/upload`)
      .set('Authorization', caller.apiKey)
      .set('Content-Type', contentType)
      .send(body);
    expect(response.status).toBe(200);
    expect(response.body.Name).toBe('any-field.txt');
  });
});
