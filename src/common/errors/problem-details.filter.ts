import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, DatabaseUnavailableError, InvalidRequestError } from './api-error.js';
import { capFieldErrors } from './capped-errors.js';
import { isClientAbort } from './client-abort.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { PROBLEM_CONTENT_TYPE, problemType, type ProblemBody } from './problem.js';

/** Fastify's own errors that reach us, by code, with what the caller should read. */
const FASTIFY_ERRORS: Record<string, { code: string; title: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', title: 'Payload Too Large', detail: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported-media-type',
    title: 'Unsupported Media Type',
    detail: 'This content type is not accepted here.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed-json', title: 'Malformed JSON', detail: 'The JSON request body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed-json', title: 'Malformed JSON', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid-request',
    title: 'Invalid request',
    detail: 'The Content-Length header does not match the body.',
  },
};

/**
 * The one place where errors become responses: every failure is application/problem+json, and
 * nothing internal (stack, SQL, paths) ever reaches the caller; unexpected errors are logged here.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (clientWentAway(request)) {
      // Whatever broke (a stream, a parser, a query cut short) broke because the caller left.
      this.logger.log(
        `Client aborted the request (${request.method} ${request.url.split('?')[0]}), so nothing was answered: ${exception instanceof Error ? exception.message : String(exception)}`,
      );
      return;
    }
    const { body, headers } = this.toProblem(exception, request);
    if (reply.sent) return;
    reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  }

  toProblem(exception: unknown, request?: FastifyRequest): { body: ProblemBody; headers: Record<string, string> } {
    if (exception instanceof ApiError) {
      return {
        body: {
          type: problemType(exception.code),
          title: exception.title,
          status: exception.status,
          detail: exception.detail,
          ...exception.extensions,
          ...(exception.extensions.errors ? capFieldErrors(exception.extensions.errors) : {}),
        },
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === HttpStatus.NOT_FOUND) {
        const where = request ? `${request.method} ${request.url.split('?')[0]}` : 'This route';
        return this.simple(404, 'route-not-found', 'Not Found', `${where} is not a route of this API.`);
      }
      return this.simple(status, 'http-error', STATUS_CODES[status] ?? 'Error', exception.message);
    }
    const fastifyCode = (exception as { code?: unknown })?.code;
    if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
      const known = FASTIFY_ERRORS[fastifyCode];
      const status = (exception as { statusCode?: number }).statusCode ?? 400;
      return this.simple(status, known.code, known.title, known.detail);
    }
    if (isClientAbort(exception, request)) {
      // Nobody is left to read the answer, and nothing is wrong here: not a warning, not a 503.
      const where = request ? ` (${request.method} ${request.url.split('?')[0]})` : '';
      this.logger.log(`Client aborted the request${where}: ${(exception as Error)?.message ?? String(exception)}`);
      return this.toProblem(new InvalidRequestError('The request ended before its body was complete.'));
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${(exception as Error).message}`);
      return this.toProblem(new DatabaseUnavailableError());
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return this.simple(500, 'internal-error', 'Internal Server Error', 'The server failed to answer this request; it has been logged.');
  }

  private simple(status: number, code: string, title: string, detail: string) {
    return { body: { type: problemType(code), title, status, detail }, headers: {} };
  }
}

/**
 * The connection is gone: nobody is left to answer. (Not `request.aborted`: that is also set
 * when the service itself stops reading a body it refuses, as for a 413 mid-upload.)
 */
function clientWentAway(request: FastifyRequest | undefined): boolean {
  const socket = request?.raw.socket;
  // Compared with true/false on purpose: an injected request (light-my-request) has a socket
  // stand-in without these fields, and it is not gone.
  return socket !== undefined && socket !== null && (socket.destroyed === true || socket.writable === false);
}
