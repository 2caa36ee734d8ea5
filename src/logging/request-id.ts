import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: the caller's X-Request-Id when it is 1 to 128 characters of
 * [A-Za-z0-9._:-] (so that a proxy's id follows the request through), else a new UUID.
 * Anything else is not echoed: it would go into logs and headers as sent.
 */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

export const REQUEST_ID_HEADER = 'X-Request-Id';
