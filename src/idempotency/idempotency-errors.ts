import { ApiError } from '../common/errors/api-error.js';
import type { ProblemBody } from '../common/errors/problem.js';

export class IdempotencyKeyInUseError extends ApiError {
  constructor() {
    super(
      409,
      'idempotency-key-in-use',
      'Conflict',
      'A request with this Idempotency-Key is still running; retry once it has been answered.',
    );
  }
}

export class IdempotencyKeyReusedError extends ApiError {
  constructor() {
    super(
      422,
      'idempotency-key-reused',
      'Unprocessable Content',
      'This Idempotency-Key was used for a different request (method, path, query or body); use a new key for a new request.',
    );
  }
}

/** A stored problem answer, sent again as it was, with Idempotent-Replayed. */
export class ReplayedProblem extends ApiError {
  constructor(body: ProblemBody) {
    const { type, title, status, detail, ...extensions } = body;
    super(status, type.replace(/^\/problems\//, ''), title, detail, extensions, { 'Idempotent-Replayed': 'true' });
  }
}
