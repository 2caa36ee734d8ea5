import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_SCHEMA } from '../common/http/api-problem-responses.decorator.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * Makes a POST that creates something safe to retry: accepts `Idempotency-Key`, and documents
 * the header, the replay marker and the 409 and 422 answers in the OpenAPI document.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe: 1 to 255 visible ASCII characters (else 400), unique per request, scoped to the API key and kept 24 hours. ' +
        'The same key with the same request (method, path, query, body; for a raw upload also Content-Type and Content-Disposition; ' +
        'for multipart the file parts, not the boundary) answers the stored status and body again with `Idempotent-Replayed: true` ' +
        'and changes nothing. Answers of 500 and above are not stored: the key may be used again.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    }),
    ApiResponse({
      status: 409,
      description: 'A request with the same Idempotency-Key is still running.',
      content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
    }),
    ApiResponse({
      status: 422,
      description: 'The Idempotency-Key was used before for a different request.',
      content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
    }),
  );
