import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIObject } from '@nestjs/swagger';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachFiles } from '../examples/attach-files.js';
import { createApp } from '../src/app.setup.js';
import { buildOpenApiDocument } from '../src/openapi/openapi-document.js';
import { documentedConfig } from '../src/openapi/documented-config.js';
import type { DemoTenant } from '../src/seed/demo-seed.service.js';
import { fixtures } from './support/fixtures.js';
import { databaseKind, startTestApp, type TestApp } from './support/test-app.js';

/** Every route of the contract (docs/contract.md), as the document must list it. */
const SPEC_ROUTES = [
  'post /api/2.0/crm/{entityType}/{entityid}/files',
  'get /api/2.0/crm/{entityType}/{entityid}/files',
  'post /api/2.0/crm/{entityType}/{entityid}/files/upload',
  'post /api/2.0/crm/{entityType}/{entityid}/files/text',
  'get /api/2.0/crm/files/root',
  'get /api/2.0/crm/files/{fileid}/content',
  'delete /api/2.0/crm/files/{fileid}',
  'get /api/2.0/crm/history/filter',
  'post /api/2.0/crm/history',
  'delete /api/2.0/crm/history/{id}',
  'get /api/2.0/crm/history/category',
  'post /api/2.0/crm/webhooks',
  'get /api/2.0/crm/webhooks',
  'delete /api/2.0/crm/webhooks/{id}',
  'post /api/2.0/crm/webhooks/{id}/secret',
  'get /api/2.0/crm/webhooks/{id}/deliveries',
  'post /api/2.0/crm/webhooks/{id}/enable',
  'post /api/2.0/crm/webhooks/{id}/replay',
  'get /health',
  'get /health/ready',
  'get /metrics',
];

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    const config = documentedConfig();
    const app = await createApp(config, { logger: false });
    document = buildOpenApiDocument(app, config);
    await app.close();
  });

  it('is a valid OpenAPI 3 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(document.openapi).toMatch(/^3\./);
  });

  it('lists exactly the routes of the contract, each with a summary and a tag', () => {
    const routes = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(routes.sort()).toEqual([...SPEC_ROUTES].sort());
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item) as { summary?: string; tags?: string[] }[]) {
        expect(operation.summary).toBeTruthy();
        expect(operation.tags?.length).toBe(1);
      }
    }
  });

  it('requires the API key on every /api/2.0 route, documented as an apiKey in the Authorization header', () => {
    expect(document.components?.securitySchemes?.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item) as { security?: unknown; responses: Record<string, unknown> }[]) {
        if (path.startsWith('/api/2.0/')) {
          expect(operation.security, path).toEqual([{ apiKey: [] }]);
          expect(Object.keys(operation.responses), path).toEqual(expect.arrayContaining(['401', '429', '503']));
        } else {
          expect(operation.security, path).toBeUndefined();
        }
      }
    }
  });

  it('names the response keys exactly as the contract spells them, and allows no others', () => {
    const schemas = document.components!.schemas as Record<string, { properties: Record<string, unknown>; additionalProperties?: boolean }>;
    const keys = (name: string) => Object.keys(schemas[name].properties).sort();
    expect(keys('EmployeeDto')).toEqual(['AvatarSmall', 'DisplayName', 'Id', 'ProfileUrl', 'Title']);
    expect(keys('CategoryDto')).toEqual(['Color', 'Description', 'ID', 'ImagePath', 'SortOrder', 'Title']);
    expect(keys('CurrencyDto')).toEqual(['Abbreviation', 'CultureName', 'IsBasic', 'IsConvertable', 'Symbol', 'Title']);
    expect(keys('ContactDto')).toEqual(
      [
        'AccessList',
        'CanDelete',
        'CanEdit',
        'Currency',
        'DisplayName',
        'ID',
        'IsCompany',
        'IsPrivate',
        'IsShared',
        'MediumFotoUrl',
        'ShareType',
        'SmallFotoUrl',
      ].sort(),
    );
    expect(keys('EntityDto')).toEqual(['EntityId', 'EntityTitle', 'EntityType']);
    expect(keys('FileDto')).toEqual(
      [
        'ContentLength',
        'ContentType',
        'Created',
        'CreatedBy',
        'FolderId',
        'ID',
        'Location',
        'Name',
        'Updated',
        'UpdatedBy',
        'Version',
      ].sort(),
    );
    expect(keys('RelationshipEventDto')).toEqual(
      ['CanEdit', 'Category', 'Contact', 'Content', 'CreateBy', 'Created', 'Entity', 'Files', 'ID'].sort(),
    );
    for (const name of ['EmployeeDto', 'CategoryDto', 'ContactDto', 'FileDto', 'RelationshipEventDto']) {
      expect(schemas[name].additionalProperties, name).toBe(false);
    }
    expect(schemas.ContactDto.properties.ShareType).toMatchObject({ type: 'integer', enum: [0, 1, 2] });
    // A nullable reference as OpenAPI 3.0 validators read it: the object, or null.
    expect(schemas.RelationshipEventDto.properties.Contact).toMatchObject({
      anyOf: [{ $ref: '#/components/schemas/ContactDto' }, { type: 'object', nullable: true, enum: [null] }],
    });
  });

  it('declares every tag it uses, each with a description', () => {
    const used = new Set(
      Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((operation) => (operation as { tags: string[] }).tags)),
    );
    expect(document.tags?.map((tag) => tag.name).sort()).toEqual([...used].sort());
    for (const tag of document.tags ?? []) expect(tag.description, tag.name).toBeTruthy();
  });

  it('has a schema for every webhook delivery body, with exactly the keys of the contract, and their union by type', () => {
    type Schema = { properties: Record<string, { enum?: string[]; $ref?: string }>; required: string[]; additionalProperties?: boolean };
    const schemas = document.components!.schemas as Record<string, Schema>;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const bodies = {
      'file.uploaded': ['WebhookEventFileUploaded', ['File', 'Record']],
      'files.attached': ['WebhookEventFilesAttached', ['Event']],
      'history.created': ['WebhookEventHistoryCreated', ['Event']],
      'history.deleted': ['WebhookEventHistoryDeleted', ['DeletedFileIds', 'Event']],
      'file.deleted': ['WebhookEventFileDeleted', ['File']],
    } as const;
    for (const [type, [name, dataKeys]] of Object.entries(bodies)) {
      const schema = schemas[name];
      expect(Object.keys(schema.properties).sort(), name).toEqual(['actor', 'data', 'id', 'tenantId', 'timestamp', 'type']);
      expect([...schema.required].sort(), name).toEqual(['actor', 'data', 'id', 'tenantId', 'timestamp', 'type']);
      expect(schema.additionalProperties, name).toBe(false);
      expect(schema.properties.type.enum, name).toEqual([type]);
      const data = schemas[schema.properties.data.$ref!.replace('#/components/schemas/', '')];
      expect(Object.keys(data.properties).sort(), name).toEqual([...dataKeys]);
      expect(data.additionalProperties, name).toBe(false);
    }
    expect(schemas.WebhookEvent).toMatchObject({
      oneOf: Object.values(bodies).map(([name]) => ref(name)),
      discriminator: {
        propertyName: 'type',
        mapping: Object.fromEntries(Object.entries(bodies).map(([type, [name]]) => [type, ref(name).$ref])),
      },
    });
    const tag = document.tags!.find((candidate) => candidate.name === 'Webhooks')!;
    for (const words of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'HMAC-SHA256', 'whsec_', 'WebhookEvent']) {
      expect(tag.description).toContain(words);
    }
  });

  it('documents the upload as a multipart form with a file field, or the raw file in any content type', () => {
    const body = document.paths['/api/2.0/crm/{entityType}/{entityid}/files/upload'].post!.requestBody as {
      content: Record<string, { schema: unknown }>;
      description: string;
    };
    expect(Object.keys(body.content)).toEqual(['multipart/form-data', 'application/octet-stream', '*/*']);
    expect(body.content['multipart/form-data'].schema).toMatchObject({
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
    });
    expect(body.content['application/octet-stream'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(body.content['*/*'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(body.description).toMatch(/any field name|whatever its field name/);
    expect(JSON.stringify(document)).not.toContain('x-crm-raw-body');
  });

  it('documents the headers that go with the answers: Retry-After, WWW-Authenticate, and those of downloads', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item) as { responses: Record<string, { headers?: Record<string, { schema: unknown }> }> }[]) {
        for (const status of ['429', '503']) {
          if (operation.responses[status])
            expect(operation.responses[status].headers?.['Retry-After']?.schema, `${path} ${status}`).toMatchObject({ type: 'integer' });
        }
        if (operation.responses['401']) expect(operation.responses['401'].headers, path).toHaveProperty('WWW-Authenticate');
      }
    }
    const download = document.paths['/api/2.0/crm/files/{fileid}/content'].get!.responses as Record<
      string,
      { headers?: Record<string, unknown> }
    >;
    const headers = (status: string) => Object.keys(download[status].headers ?? {}).sort();
    expect(headers('200')).toEqual(['Accept-Ranges', 'Content-Disposition', 'Content-Length', 'Content-Security-Policy', 'ETag']);
    expect(headers('206')).toEqual([
      'Accept-Ranges',
      'Content-Disposition',
      'Content-Length',
      'Content-Range',
      'Content-Security-Policy',
      'ETag',
    ]);
    expect(headers('304')).toEqual(['ETag']);
    expect(headers('416')).toEqual(['Content-Range']);
    for (const path of ['/api/2.0/crm/{entityType}/{entityid}/files', '/api/2.0/crm/history/filter']) {
      expect(document.paths[path].get!.responses['200']).toMatchObject({ headers: { 'X-Total-Count': { schema: { type: 'integer' } } } });
    }
  });

  it('limits the file id lists to MAX_FILE_IDS, as configured', async () => {
    type Schemas = Record<string, { properties: Record<string, { maxItems?: number; description?: string }> }>;
    const schemas = document.components!.schemas as Schemas;
    expect(schemas.AttachFilesDto.properties.fileids.maxItems).toBe(100);
    expect(schemas.CreateHistoryEventDto.properties.fileId.maxItems).toBe(100);
    expect(schemas.AttachFilesDto.properties.fileids.description).toContain('MAX_FILE_IDS');
    expect(schemas.CreateHistoryEventDto.properties.fileId.description).toContain('MAX_FILE_IDS');

    const config = { ...documentedConfig(), maxFileIds: 7 };
    const app = await createApp(config, { logger: false });
    const other = buildOpenApiDocument(app, config).components!.schemas as Schemas;
    await app.close();
    expect(other.AttachFilesDto.properties.fileids.maxItems).toBe(7);
    expect(other.CreateHistoryEventDto.properties.fileId.maxItems).toBe(7);
  });

  it('gives Swagger UI a ready-to-send example body for attach, text files and new events', () => {
    type Body = { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
    const firstExample = (path: string) =>
      Object.values((document.paths[path].post!.requestBody as Body).content['application/json'].examples ?? {})[0]?.value;
    expect(firstExample('/api/2.0/crm/{entityType}/{entityid}/files')).toEqual({ fileids: [2, 3] });
    expect(firstExample('/api/2.0/crm/{entityType}/{entityid}/files/text')).toMatchObject({
      title: expect.any(String),
      content: expect.any(String),
    });
    expect(firstExample('/api/2.0/crm/history')).toEqual({ content: expect.any(String), categoryId: 3, contactId: 1 });
  });

  it('is committed as openapi.json, up to date (run `npm run openapi` after changing the API)', async () => {
    const committed = JSON.parse(await readFile('openapi.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('has committed client types generated from it, up to date', async () => {
    const generated = COMMENT_HEADER + astToString(await openapiTS(structuredClone(document) as never));
    expect(await readFile('examples/crm-files-api.d.ts', 'utf8')).toBe(generated);
  });
});

describe('the typed client example', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('compiles against the generated types', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      'examples/tsconfig.json',
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    const program = ts.createProgram(parsed!.fileNames, parsed!.options);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('attaches files against a live server', async () => {
    const [demo] = await fixtures(t.app).demo();
    const event = await attachFiles(baseUrl, demo.users.member.apiKey, 'contact', demo.contacts.person, demo.files.member);
    expect(event.Category.ID).toBe(-2);
    expect(event.Files.map((file) => file.ID)).toEqual(demo.files.member);
    await expect(
      attachFiles(baseUrl, demo.users.outsider.apiKey, 'contact', demo.contacts.privatePerson, demo.files.outsider),
    ).rejects.toThrow(/404/);
  });
});

describe('the document against the running service', () => {
  const RATE_LIMIT = 20;
  let t: TestApp;
  let document: OpenAPIObject;
  let demo: DemoTenant;

  beforeAll(async () => {
    t = await startTestApp({ rateLimitPerMinute: RATE_LIMIT });
    document = buildOpenApiDocument(t.app, t.config);
    // On SQLite the database is fresh, so these are the ids of a first start with the demo seed.
    [demo] = await fixtures(t.app).demo();
  });
  afterAll(() => t?.close());

  type Responses = Record<string, { headers?: Record<string, unknown> }>;
  /** Every header the document promises for that answer must be in it. */
  const expectDocumentedHeaders = (path: string, method: 'get' | 'post', response: { status: number; headers: Record<string, string> }) => {
    const responses = (document.paths[path][method] as { responses: Responses }).responses;
    const promised = Object.keys(responses[String(response.status)]?.headers ?? {});
    expect(promised.length, `${method} ${path} ${response.status} documents headers`).toBeGreaterThan(0);
    for (const name of promised) expect(response.headers, `${method} ${path} ${response.status}`).toHaveProperty(name.toLowerCase());
  };

  it('sends the headers it documents: downloads (200, 206, 304, 416), 401, 429 and X-Total-Count', async () => {
    const key = demo.users.member.apiKey;
    const content = '/api/2.0/crm/files/{fileid}/content';
    const url = `/api/2.0/crm/files/${demo.files.member[0]}/content`;

    const whole = await t.http().get(url).set('Authorization', key);
    expect(whole.status).toBe(200);
    expectDocumentedHeaders(content, 'get', whole);
    const part = await t.http().get(url).set('Authorization', key).set('Range', 'bytes=0-1');
    expect(part.status).toBe(206);
    expectDocumentedHeaders(content, 'get', part);
    const same = await t.http().get(url).set('Authorization', key).set('If-None-Match', whole.headers.etag);
    expect(same.status).toBe(304);
    expectDocumentedHeaders(content, 'get', same);
    const outside = await t.http().get(url).set('Authorization', key).set('Range', 'bytes=100000-');
    expect(outside.status).toBe(416);
    expectDocumentedHeaders(content, 'get', outside);

    const anonymous = await t.http().get(url);
    expect(anonymous.status).toBe(401);
    expectDocumentedHeaders(content, 'get', anonymous);

    const list = await t.http().get(`/api/2.0/crm/contact/${demo.contacts.person}/files`).set('Authorization', key);
    expect(list.status).toBe(200);
    expectDocumentedHeaders('/api/2.0/crm/{entityType}/{entityid}/files', 'get', list);

    const busy = demo.users.admin.apiKey;
    let limited;
    for (let i = 0; i <= RATE_LIMIT && !limited; i++) {
      const response = await t.http().get('/api/2.0/crm/files/root').set('Authorization', busy);
      if (response.status === 429) limited = response;
    }
    expect(limited?.status).toBe(429);
    expectDocumentedHeaders('/api/2.0/crm/files/root', 'get', limited!);
  });

  // The examples name the ids of a fresh demo database; the MySQL suites share one database.
  it.skipIf(databaseKind() === 'mysql')(
    "answers 200 to the request bodies Swagger UI offers first, sent with the demo member's key",
    async () => {
      type Body = { content: Record<string, { examples?: Record<string, { value: object }> }> };
      const firstExample = (path: string) =>
        Object.values((document.paths[path].post!.requestBody as Body).content['application/json'].examples!)[0].value;
      const send = (path: string, url: string) =>
        t.http().post(url).set('Authorization', demo.users.member.apiKey).send(firstExample(path));

      const attached = await send('/api/2.0/crm/{entityType}/{entityid}/files', `/api/2.0/crm/contact/${demo.contacts.person}/files`);
      expect(attached.status, JSON.stringify(attached.body)).toBe(200);
      const text = await send('/api/2.0/crm/{entityType}/{entityid}/files/text', `/api/2.0/crm/contact/${demo.contacts.person}/files/text`);
      expect(text.status, JSON.stringify(text.body)).toBe(200);
      const event = await send('/api/2.0/crm/history', '/api/2.0/crm/history');
      expect(event.status, JSON.stringify(event.body)).toBe(200);
      expect(event.body.Category.Title).toBe('Call');
    },
  );
});
