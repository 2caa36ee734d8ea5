import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '../auth/authenticated.decorator.js';
import { PROBLEM_SCHEMA } from '../common/http/api-problem-responses.decorator.js';
import type { AppConfig } from '../config/app-config.js';
import { WEBHOOK_EVENT_SCHEMA_NAME, WEBHOOK_EVENT_SCHEMAS } from '../webhooks/dto/webhook-event.dto.js';
import { RAW_BODY_EXTENSION } from './api-raw-body.decorator.js';
import { rewriteNullableReferences } from './nullable-references.js';

export const PROBLEM_SCHEMA_NAME = 'Problem';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

/**
 * The OpenAPI document of the running application, built from the controllers and response
 * classes themselves, then tightened: response objects allow exactly their documented keys,
 * every problem answer points at one shared `Problem` schema, raw request bodies are written
 * in, and the limits that come from the configuration are filled in.
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
    .addTag('Files', 'Files attached to CRM records: attach, upload, create text files, list, download, delete')
    .addTag('History', 'History events of CRM records: filter, add, delete, categories')
    .addTag('Webhooks', WEBHOOKS_TAG_DESCRIPTION)
    .addTag('Health', 'Liveness and readiness for orchestrators and load balancers; no API key needed')
    .addTag('Operations', 'Metrics for Prometheus; no API key needed, so keep it away from the public internet');
  const document = SwaggerModule.createDocument(app, builder.build());
  return tighten(document, config);
}

const WEBHOOKS_TAG_DESCRIPTION = [
  "Tenant admins subscribe URLs to the tenant's events. Every change (upload, attach, text file, history event " +
    'created or deleted, file deleted) is written as an event in the same transaction, and POSTed to each subscription ' +
    'that asked for its type, as JSON: `{"id", "type", "timestamp", "tenantId", "actor", "data"}`. The bodies are the ' +
    `\`${WEBHOOK_EVENT_SCHEMA_NAME}\` schema of this document, one schema per \`type\` (\`WebhookEventFileUploaded\`, ` +
    '`WebhookEventFilesAttached`, `WebhookEventHistoryCreated`, `WebhookEventHistoryDeleted`, `WebhookEventFileDeleted`), ' +
    'with the objects as the API answers them.',
  '**Headers** ([Standard Webhooks](https://www.standardwebhooks.com)): `webhook-id` (the event id: a retry or a ' +
    'replay sends the same one, so use it to drop duplicates), `webhook-timestamp` (Unix seconds), and ' +
    '`webhook-signature`: `v1,` then the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with ' +
    'the base64-decoded part of the secret after `whsec_`. The header may list several space-separated signatures.',
  '**Verifying a delivery:** compute the signature over the raw body as received (not re-serialised JSON), compare it ' +
    'to each `v1,` signature of the header in constant time, and refuse timestamps more than a few minutes from your ' +
    'clock. The Standard Webhooks libraries do all of this: `new Webhook(secret).verify(body, headers)`. The secret is ' +
    'shown only when the webhook is created and when it is rotated; a rotation takes effect at once.',
  '**Delivery:** answer 2xx within 10 seconds. Anything else is retried on the configured schedule; when an event has ' +
    'failed every attempt the webhook is disabled until an admin enables it. Events of one record are delivered in the ' +
    'order of their commits.',
].join('\n\n');

type Operation = {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  [RAW_BODY_EXTENSION]?: string[];
};

function tighten(document: OpenAPIObject, config: AppConfig): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ?? {};
  document.components.schemas = schemas;
  schemas[PROBLEM_SCHEMA_NAME] = structuredClone(PROBLEM_SCHEMA);
  for (const schema of Object.values(schemas)) {
    if ('properties' in schema && schema.type === 'object') schema.additionalProperties = false;
  }
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      sortParameters(path, operation as Operation);
      documentRawBodies(operation as Operation);
      for (const response of Object.values((operation as Operation).responses ?? {})) {
        const problem = response.content?.['application/problem+json'];
        if (problem) problem.schema = { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` };
      }
    }
  }
  rewriteNullableReferences(document);
  schemas[WEBHOOK_EVENT_SCHEMA_NAME] = webhookEventUnion();
  // MAX_FILE_IDS is configuration, not a constant the DTOs could name: the served limit.
  setMaxItems(schemas, 'AttachFilesDto', 'fileids', config.maxFileIds);
  setMaxItems(schemas, 'CreateHistoryEventDto', 'fileId', config.maxFileIds);
  return document;
}

/**
 * Every delivery body, told apart by its `type`: what a consumer's webhook handler receives. Each
 * member allows exactly one `type` value, so the union validates even where `discriminator` is
 * not understood.
 */
function webhookEventUnion(): SchemaObject {
  const reference = (type: keyof typeof WEBHOOK_EVENT_SCHEMAS) => getSchemaPath(WEBHOOK_EVENT_SCHEMAS[type]);
  const types = Object.keys(WEBHOOK_EVENT_SCHEMAS) as (keyof typeof WEBHOOK_EVENT_SCHEMAS)[];
  return {
    description: 'The body of a webhook delivery, one schema per event type.',
    oneOf: types.map((type) => ({ $ref: reference(type) })),
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(types.map((type) => [type, reference(type)])) },
  };
}

/**
 * The media types of @ApiRawBody, written into the request body after the multipart form
 * @ApiBody describes: the raw body is the file's bytes, in any content type (which is kept as
 * the file's own), so each is a binary string.
 */
function documentRawBodies(operation: Operation): void {
  const mediaTypes = operation[RAW_BODY_EXTENSION];
  if (!mediaTypes) return;
  delete operation[RAW_BODY_EXTENSION];
  if (!operation.requestBody) throw new Error(`@ApiRawBody needs an @ApiBody on the same route`);
  for (const mediaType of mediaTypes) {
    operation.requestBody.content[mediaType] = { schema: { type: 'string', format: 'binary' } };
  }
}

function setMaxItems(schemas: Record<string, object>, schemaName: string, property: string, maxItems: number): void {
  const schema = (schemas[schemaName] as { properties?: Record<string, { type?: string; maxItems?: number }> } | undefined)?.properties?.[
    property
  ];
  if (schema?.type !== 'array') throw new Error(`${schemaName}.${property} is not an array in the OpenAPI document`);
  schema.maxItems = maxItems;
}

/**
 * Path parameters in the order of the path, then the others by name: decorator order differs
 * between compilers (tsc, SWC), and the committed document must not.
 */
function sortParameters(path: string, operation: Operation): void {
  const rank = (parameter: { in: string; name: string }) =>
    parameter.in === 'path' ? path.indexOf(`{${parameter.name}}`) : Number.MAX_SAFE_INTEGER;
  operation.parameters?.sort((a, b) => rank(a) - rank(b) || a.in.localeCompare(b.in) || a.name.localeCompare(b.name));
}
