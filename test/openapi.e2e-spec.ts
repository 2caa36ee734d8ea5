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
import { fixtures } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every route of SPEC §1, §4.2 and §4.3, as the document must list it. */
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
  'get /health',
  'get /health/ready',
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
      ['AccessList', 'CanDelete', 'CanEdit', 'Currency', 'DisplayName', 'ID', 'IsCompany', 'IsPrivate', 'IsShared', 'MediumFotoUrl', 'ShareType', 'SmallFotoUrl'].sort(),
    );
    expect(keys('EntityDto')).toEqual(['EntityId', 'EntityTitle', 'EntityType']);
    expect(keys('FileDto')).toEqual(
      ['ContentLength', 'ContentType', 'Created', 'CreatedBy', 'FolderId', 'ID', 'Location', 'Name', 'Updated', 'UpdatedBy', 'Version'].sort(),
    );
    expect(keys('RelationshipEventDto')).toEqual(['CanEdit', 'Category', 'Contact', 'Content', 'CreateBy', 'Created', 'Entity', 'Files', 'ID'].sort());
    for (const name of ['EmployeeDto', 'CategoryDto', 'ContactDto', 'FileDto', 'RelationshipEventDto']) {
      expect(schemas[name].additionalProperties, name).toBe(false);
    }
    expect(schemas.ContactDto.properties.ShareType).toMatchObject({ type: 'integer', enum: [0, 1, 2] });
    expect(schemas.RelationshipEventDto.properties.Contact).toMatchObject({ nullable: true });
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
    const parsed = ts.getParsedCommandLineOfConfigFile('examples/tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    const program = ts.createProgram(parsed!.fileNames, parsed!.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('attaches files against a live server', async () => {
    const [demo] = await fixtures(t.app).demo();
    const event = await attachFiles(baseUrl, demo.users.member.apiKey, 'contact', demo.contacts.person, demo.files.member);
    expect(event.Category.ID).toBe(-2);
    expect(event.Files.map((file) => file.ID)).toEqual(demo.files.member);
    await expect(attachFiles(baseUrl, demo.users.outsider.apiKey, 'contact', demo.contacts.privatePerson, demo.files.outsider)).rejects.toThrow(
      /404/,
    );
  });
});
