import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemType, type ProblemBody } from '../errors/problem.js';

/** What the hooks would have added (request id aside) to answers given before any hook runs. */
const BELOW_THE_APP_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

/**
 * Errors that happen before Nest sees a request, answered with the same problem bodies as
 * everything else (docs/contract.md, "Errors"): a URL Fastify cannot decode, and requests so malformed that
 * Node's HTTP parser rejects them (bad request line or Content-Length, headers too large).
 */
export function frameworkErrorHandler(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const body: ProblemBody = {
    type: problemType('invalid-request'),
    title: 'Invalid request',
    status: 400,
    detail: error.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid (bad percent-encoding).' : 'The request is not valid.',
  };
  // No hook runs before this answer: it carries the headers every answer has by itself.
  void reply
    .status(400)
    .headers({ ...BELOW_THE_APP_HEADERS, 'X-Request-Id': request.id })
    .type(PROBLEM_CONTENT_TYPE)
    .send(body);
}

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({
    type: problemType(status === 431 ? 'headers-too-large' : 'invalid-request'),
    title: STATUS_CODES[status] ?? 'Bad Request',
    status,
    detail: status === 431 ? 'The request headers are too large.' : 'The request is not valid HTTP.',
  } satisfies ProblemBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nX-Request-Id: ${randomUUID()}\r\n` +
      Object.entries(BELOW_THE_APP_HEADERS)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*$/;

/** Stands in for a Content-Type header that is not a media type at all. */
export const UNPARSABLE_CONTENT_TYPE = 'application/x-unparsable-content-type';

/**
 * Fastify refuses a Content-Type it cannot parse with a 415 before any guard runs; the
 * contract wants the API key judged first. Such a header is replaced by a stand-in that the
 * catch-all parser leaves alone, and RequestBodyInterceptor answers the 415 after the guard.
 */
export function deferUnparsableContentTypes(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['content-type'];
    if (header !== undefined && !MEDIA_TYPE.test(header.split(';')[0])) request.headers['content-type'] = UNPARSABLE_CONTENT_TYPE;
    done();
  });
}
