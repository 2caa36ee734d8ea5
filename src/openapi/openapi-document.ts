import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '../auth/auth.decorator.js';
import { PROBLEM_SCHEMA } from '../common/http/api-problem-responses.decorator.js';
import type { AppConfig } from '../config/app-config.js';

export const PROBLEM_SCHEMA_NAME = 'Problem';

/**
 * The OpenAPI document of the running application, built from the controllers and response
 * classes themselves, then tightened: response objects allow exactly their documented keys,
 * and every problem answer points at one shared `Problem` schema.
 */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const demoHint =
    config.databaseIsDefault && config.demoSeed
      ? '\n\n**Trying it out:** on its first start with the embedded database the service creates a demo data set and ' +
        'logs its API keys. Press **Authorize**, paste one (for example the `member` key of the first tenant), and use ' +
        'contact `1` and file ids `2`, `3`, `4`.'
      : '';
  const builder = new DocumentBuilder()
    .setTitle('crm-files')
    .setDescription(
      'The Files API of the CRM: attach files to contacts, opportunities and cases; every attachment is a history event ' +
        'on that record. Authenticate with an API key in the `Authorization` header, bare or as `Bearer <key>`. ' +
        'Errors are `application/problem+json` (RFC 9457).' +
        demoHint,
    )
    .setVersion('2.0')
    .addSecurity(API_KEY_SECURITY, {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'Your API key, bare or as `Bearer <key>`.',
    })
    .addTag('Files', 'Files attached to CRM records: attach, upload, list, download, delete')
    .addTag('History', 'History events of CRM records: filter, add, delete, categories');
  const document = SwaggerModule.createDocument(app, builder.build());
  return tighten(document);
}

function tighten(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ?? {};
  document.components.schemas = schemas;
  schemas[PROBLEM_SCHEMA_NAME] = structuredClone(PROBLEM_SCHEMA);
  for (const schema of Object.values(schemas)) {
    if ('properties' in schema && schema.type === 'object') schema.additionalProperties = false;
  }
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      sortParameters(path, operation as { parameters?: { in: string; name: string }[] });
      const responses = (operation as { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }).responses;
      for (const response of Object.values(responses ?? {})) {
        const problem = response.content?.['application/problem+json'];
        if (problem) problem.schema = { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` };
      }
    }
  }
  return document;
}

/**
 * Path parameters in the order of the path, then the others by name: decorator order differs
 * between compilers (tsc, SWC), and the committed document must not.
 */
function sortParameters(path: string, operation: { parameters?: { in: string; name: string }[] }): void {
  const rank = (parameter: { in: string; name: string }) =>
    parameter.in === 'path' ? path.indexOf(`{${parameter.name}}`) : Number.MAX_SAFE_INTEGER;
  operation.parameters?.sort((a, b) => rank(a) - rank(b) || a.in.localeCompare(b.in) || a.name.localeCompare(b.name));
}
