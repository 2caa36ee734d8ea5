import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { requestContext } from './request-context.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/** Requests that matched no route share one label, so that scanners cannot grow the metrics. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * One log line and one set of metrics per request, written when its connection is done with it:
 * method, route template (never the URL with its ids), status, duration, and the tenant and user
 * when a key was accepted. A client that went away before the answer was complete is logged as
 * that, at info: it is nothing the service or the database did.
 */
export function observeRequests(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const startedAt = process.hrtime.bigint();
    const route = routeOf(request);
    const uploaded = route.endsWith('/upload') ? countBodyBytes(request) : undefined;
    reply.raw.once('close', () => finish(request, reply, metrics, route, startedAt, uploaded?.()));
    // The rest of the request (hooks, guard, handler, filter) runs inside this context.
    requestContext.run({ log: request.log as Logger }, done);
  });
}

function finish(
  request: FastifyRequest,
  reply: FastifyReply,
  metrics: MetricsService,
  route: string,
  startedAt: bigint,
  uploadedBytes: number | undefined,
): void {
  const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  const user = (request as FastifyRequest & { user?: AuthenticatedUser }).user;
  const fields = {
    method: request.method,
    route,
    durationMs: Math.round(durationMs * 1000) / 1000,
    ...(user ? { tenantId: user.tenantId, userId: user.userId } : {}),
  };
  if (uploadedBytes) metrics.uploadedBytes.inc(uploadedBytes);
  // Ended, not finished: a client that reads the last byte and hangs up at once can close the
  // socket before 'finish', and that answer was still sent whole.
  if (!reply.raw.writableEnded) {
    metrics.clientDisconnects.inc({ method: request.method, route });
    request.log.info(
      { ...fields, status: reply.raw.headersSent ? reply.raw.statusCode : null, clientDisconnected: true },
      'client disconnected before the answer was complete',
    );
    return;
  }
  const status = reply.raw.statusCode;
  const labels = { method: request.method, route, status: String(status) };
  metrics.httpRequests.inc(labels);
  metrics.httpDuration.observe(labels, durationMs / 1000);
  if ((status === 200 || status === 206) && String(reply.getHeader('content-disposition') ?? '').startsWith('attachment')) {
    metrics.downloadedBytes.inc(Number(reply.getHeader('content-length') ?? 0) || 0);
  }
  request.log.info({ ...fields, status }, 'request completed');
}

function routeOf(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return url === undefined || url === '*' || url === '/*' ? UNMATCHED_ROUTE : url;
}

/**
 * Counts the body bytes Node's HTTP parser hands to the request stream, without reading the
 * stream (a 'data' listener would start it flowing before the handler is ready for it).
 */
function countBodyBytes(request: FastifyRequest): () => number {
  const raw = request.raw as typeof request.raw & { push: (chunk: unknown, encoding?: BufferEncoding) => boolean };
  let bytes = 0;
  const push = raw.push.bind(raw);
  raw.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null && chunk !== undefined) bytes += Buffer.isBuffer(chunk) ? chunk.length : Buffer.byteLength(String(chunk), encoding);
    return push(chunk, encoding);
  };
  return () => bytes;
}
