import { Ajv, type ValidateFunction } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import type { OpenAPIObject } from '@nestjs/swagger';

// ajv-formats is CommonJS with a default export.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

type Schema = Record<string, unknown>;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments count first, so /files/root wins over /{entityType}/{entityid}. */
  literalSegments: number;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | undefined;
  body: unknown;
}

/**
 * Checks real responses against the OpenAPI document: the route must be documented, the
 * status must be listed for it, and a JSON body must match the schema of that status and
 * content type. Returns the problems found; an empty list means the answer is as documented.
 */
export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly operations: Operation[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: OpenAPIObject) {
    this.ajv = ajvFor(document);
    this.operations = Object.entries(document.paths)
      .flatMap(([template, item]) =>
        Object.entries(item)
          .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
          .map(([method, operation]) => ({
            method: method.toUpperCase(),
            template,
            pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
            literalSegments: template.split('/').filter((segment) => segment && !segment.startsWith('{')).length,
            responses: (operation as { responses: Operation['responses'] }).responses,
          })),
      )
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  check(response: ObservedResponse): string[] {
    const path = response.path.split('?')[0];
    const where = `${response.method} ${path} → ${response.status}`;
    const operation = this.operations.find((candidate) => candidate.method === response.method && candidate.pattern.test(path));
    if (!operation) {
      // Unknown routes are the API's documented general answer, not a route of the document.
      // (A HEAD answer has no body to show it.)
      const isRouteNotFound =
        response.status === 404 &&
        (response.method === 'HEAD' || (response.body as { type?: string })?.type === '/problems/route-not-found');
      return isRouteNotFound ? [] : [`${where}: the route is not in the OpenAPI document`];
    }
    const documented = operation.responses[String(response.status)];
    if (!documented) return [`${where}: status ${response.status} is not documented for ${operation.method} ${operation.template}`];
    const mediaType = (response.contentType ?? '').split(';')[0].trim();
    if (!documented.content || response.status === 304) return [];
    const media = documented.content[mediaType] ?? documented.content['*/*'];
    if (!media) {
      return [`${where}: content type "${mediaType}" is not documented (documented: ${Object.keys(documented.content).join(', ')})`];
    }
    // A binary body (a download) is the file's own bytes, even when the file is itself JSON: nothing to check in it.
    if (!media.schema || !mediaType.includes('json') || (media.schema as Schema).format === 'binary') return [];
    const key = `${operation.method} ${operation.template} ${response.status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(media.schema));
      this.validators.set(key, validate);
    }
    if (validate(response.body)) return [];
    return (validate.errors ?? []).map((error) => `${where}: body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
  }
}

/** An ajv with the formats of OpenAPI 3.0 and the document's components registered as `openapi`. */
function ajvFor(document: OpenAPIObject): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('binary', () => true);
  ajv.addSchema({ $id: 'openapi', components: convertComponents(document.components ?? {}) });
  return ajv;
}

/**
 * Validators of the document's `components.schemas`, by name, as the answers of routes are
 * checked: for what the service sends that is no answer of a route (webhook delivery bodies).
 */
export function componentValidators(document: OpenAPIObject): (schemaName: string) => ValidateFunction {
  const ajv = ajvFor(document);
  return (schemaName) => {
    if (!document.components?.schemas?.[schemaName]) throw new Error(`The document has no schema ${schemaName}`);
    return ajv.getSchema(`openapi#/components/schemas/${schemaName}`)!;
  };
}

/**
 * OpenAPI 3.0 schema to JSON Schema for ajv, by a maintained converter that applies OpenAPI's
 * rules exactly (not more leniently than outside validators): `nullable` widens only a `type`
 * of the same schema object, so `{nullable: true, allOf: [$ref]}` still rejects null. References
 * point into the document registered as `openapi`.
 */
export function toJsonSchema<T>(node: T): T {
  const converted = fromSchema(structuredClone(node) as Record<string, unknown>, { cloneSchema: false, strictMode: true }) as Schema;
  delete converted.$schema;
  return pointReferencesInto(converted) as T;
}

function pointReferencesInto(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => pointReferencesInto(item));
  if (node === null || typeof node !== 'object') return node;
  const result: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    result[key] = key === '$ref' && typeof value === 'string' ? value.replace(/^#\//, 'openapi#/') : pointReferencesInto(value);
  }
  return result;
}

/** Every schema of `components.schemas`, converted. */
function convertComponents(components: NonNullable<OpenAPIObject['components']>): Schema {
  const schemas = Object.fromEntries(Object.entries(components.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema)]));
  return { schemas };
}
