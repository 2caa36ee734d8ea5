import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type ApiResponseOptions, type HeadersObject } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: a path parameter, a query parameter or the body (see `errors`, at most 50 of them).',
  401: 'No valid API key.',
  403: 'The record is readable but the caller may not change it.',
  404: 'The record or a file is missing or not readable by the caller.',
  413: 'The body is too large.',
  415: 'The body is not of an accepted content type (a JSON body: application/json, in UTF-8).',
  416: 'The requested byte range is outside the file.',
  429: 'Too many requests for this API key; see Retry-After.',
  500: 'An unexpected failure; logged on the server, nothing internal in the body.',
  503: 'The database is not answering; see Retry-After.',
};

const RETRY_AFTER: HeadersObject = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1, example: 5 } },
};

/** The headers a problem answer carries, by status (see ApiError and its subclasses). */
const HEADERS: Record<number, HeadersObject> = {
  401: { 'WWW-Authenticate': { description: 'The authentication scheme: `Bearer`.', schema: { type: 'string', example: 'Bearer' } } },
  416: { 'Content-Range': { description: 'The size of the file: `bytes */<size>`.', schema: { type: 'string', example: 'bytes */1024' } } },
  429: RETRY_AFTER,
  503: RETRY_AFTER,
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
      description: 'The invalid fields, at most 50 of them (errorsOmitted counts the rest).',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    errorsOmitted: { type: 'integer', minimum: 1, description: 'How many invalid fields there were beyond those listed in errors.' },
    missingFileIds: { type: 'array', items: { type: 'integer', format: 'int32' } },
  },
};

/** One problem+json answer, with its description (the common one unless given) and the headers it carries. */
export const problemResponse = (status: number, description = DESCRIPTIONS[status]): ApiResponseOptions => ({
  status,
  description,
  ...(HEADERS[status] ? { headers: structuredClone(HEADERS[status]) } : {}),
  content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
});

/**
 * Documents the problem+json answers a route can give, plus 429, 500 and 503 that any
 * authenticated route can. A status may come with its own description: `[403, 'Not an admin.']`.
 */
export const ApiProblemResponses = (...statuses: (number | [number, string])[]) =>
  applyDecorators(
    ...[...statuses, 429, 500, 503].map((entry) =>
      ApiResponse(typeof entry === 'number' ? problemResponse(entry) : problemResponse(...entry)),
    ),
  );
