import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: a path parameter, a query parameter or the body (see `errors`).',
  401: 'No valid API key.',
  403: 'The record is readable but the caller may not change it.',
  404: 'The record or a file is missing or not readable by the caller.',
  413: 'The body is too large.',
  415: 'The body is not of an accepted content type.',
  416: 'The requested byte range is outside the file.',
  429: 'Too many requests for this API key; see Retry-After.',
  500: 'An unexpected failure; logged on the server, nothing internal in the body.',
  503: 'The database is not answering; see Retry-After.',
};

export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: '/problems/not-found' },
    title: { type: 'string', example: 'Not Found' },
    status: { type: 'integer', example: 404 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    missingFileIds: { type: 'array', items: { type: 'integer', format: 'int32' } },
  },
};

/** Documents the problem+json answers a route can give. */
export const ApiProblemResponses = (...statuses: number[]) =>
  applyDecorators(
    ...[...statuses, 429, 500, 503].map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
      }),
    ),
  );
