import type { FieldError } from './problem.js';

/**
 * An error the service means to answer with: a status, a stable code (the problem `type`) and
 * a message fit for the caller. Domain code throws these; one filter turns them into bodies.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extensions: { errors?: FieldError[]; missingFileIds?: number[] } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export class InvalidRequestError extends ApiError {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'invalid-request', 'Invalid request', detail, errors ? { errors } : {});
  }
}

export class MalformedJsonError extends ApiError {
  constructor(detail = 'The request body is not valid JSON.') {
    super(400, 'malformed-json', 'Malformed JSON', detail);
  }
}

export class UnauthorizedError extends ApiError {
  constructor() {
    super(
      401,
      'unauthorized',
      'Unauthorized',
      'A valid API key is required in the Authorization header.',
      {},
      {
        'WWW-Authenticate': 'Bearer',
      },
    );
  }
}

export class ForbiddenError extends ApiError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFoundError extends ApiError {
  constructor(detail: string) {
    super(404, 'not-found', 'Not Found', detail);
  }
}

export class FilesNotFoundError extends ApiError {
  constructor(missingFileIds: number[]) {
    super(404, 'files-not-found', 'Files not found', `These files do not exist or are not visible to you: ${missingFileIds.join(', ')}.`, {
      missingFileIds,
    });
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(detail: string) {
    super(413, 'payload-too-large', 'Payload Too Large', detail);
  }
}

/** A Range header none of whose bytes the content has; Content-Range tells the size. */
export class RangeNotSatisfiableError extends ApiError {
  constructor(size: number) {
    super(416, 'range-not-satisfiable', 'Range Not Satisfiable', `The file has ${size} bytes.`, {}, { 'Content-Range': `bytes */${size}` });
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(detail: string) {
    super(415, 'unsupported-media-type', 'Unsupported Media Type', detail);
  }
}

export class RateLimitedError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'rate-limited',
      'Too Many Requests',
      `Too many requests for this API key; retry in ${retryAfterSeconds} s.`,
      {},
      {
        'Retry-After': String(retryAfterSeconds),
      },
    );
  }
}

export class DatabaseUnavailableError extends ApiError {
  constructor() {
    super(
      503,
      'database-unavailable',
      'Service Unavailable',
      'The database is not answering; try again shortly.',
      {},
      {
        'Retry-After': '5',
      },
    );
  }
}
