import type { OpenAPIObject } from '@nestjs/swagger';
import * as addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, SetMatchType, type Document } from 'openapi-backend';
import type { ObservedResponse } from './openapi-contract.js';

// ajv-formats is CommonJS with a default export.
const addFormats = (addFormatsModule as unknown as { default: (ajv: unknown) => unknown }).default;

/**
 * A second opinion on the answers the tests receive, from a validator this project did not
 * write (openapi-backend, with its own routing, reference resolution and Ajv set-up): every
 * JSON answer must validate against the document's schema for its operation and status, and
 * the headers it documents must have their documented form. It reads OpenAPI 3.0 as outside
 * tools do, so a document that only the project's own check accepts fails here.
 */
export class IndependentValidator {
  private constructor(private readonly api: OpenAPIBackend) {}

  static async create(document: OpenAPIObject): Promise<IndependentValidator> {
    return new IndependentValidator(await openApiBackendFor(document));
  }

  check(response: ObservedResponse & { headers?: Record<string, unknown> }): string[] {
    const path = response.path.split('?')[0];
    const operation = this.api.matchOperation({ method: response.method.toLowerCase(), path, headers: {} });
    if (!operation) return [];
    const where = `openapi-backend: ${response.method} ${path} → ${response.status}`;
    const problems: string[] = [];
    const mediaType = (response.contentType ?? '').split(';')[0].trim();
    if (mediaType === 'application/json') {
      const result = this.api.validator.validateResponse(response.body, operation, response.status);
      for (const error of result.errors ?? [])
        problems.push(`${where}: body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
    }
    if (response.headers) {
      const result = this.api.validator.validateResponseHeaders(response.headers, operation, {
        statusCode: response.status,
        setMatchType: SetMatchType.Any,
      });
      for (const error of result.errors ?? [])
        problems.push(`${where}: headers${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
    }
    return problems;
  }
}

/** openapi-backend over a copy of the document (it resolves references in place), initialised. */
export async function openApiBackendFor(document: OpenAPIObject): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: structuredClone(document) as unknown as Document,
    strict: true,
    validate: true,
    // The formats of OpenAPI 3.0 (uuid, date-time, int32, binary...) as ajv-formats defines them.
    customizeAjv: (ajv) => addFormats(ajv as never) as never,
  });
  await api.init();
  return api;
}
