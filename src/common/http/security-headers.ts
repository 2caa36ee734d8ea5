import fastifyCors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a browser client may read from a cross-origin answer. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Location',
  'X-Total-Count',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Idempotent-Replayed',
  'Content-Disposition',
  'Content-Range',
  'ETag',
];

const HELMET_OPTIONS: HelmetOptions = {
  // Served over plain HTTP in development and behind a TLS terminator in production: HSTS is
  // the terminator's to send, and upgrading Swagger UI's script requests to https would
  // break it wherever the service is reached over http.
  strictTransportSecurity: false,
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
};

/**
 * The headers helmet sets with these options, worked out once at start-up: none of them depends
 * on the request. (The Fastify plugin ran helmet anew on every request, with an async hook of its
 * own: a measurable share of a small request's CPU, docs/performance.md.)
 */
function headersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string) => (headers[name] = value),
    removeHeader: (name: string) => delete headers[name],
  };
  let failure: unknown = 'helmet did not finish';
  helmet(options)({} as IncomingMessage, collector as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw new Error(`The security headers could not be worked out: ${String(failure)}`);
  return headers;
}

/** What a download carries instead of the page policy: the content is never run as a page. */
const DOWNLOAD_CSP = "default-src 'none'; sandbox";

/**
 * Hardening headers on every answer (helmet's defaults, which leave Swagger UI working: its
 * scripts are files, its inline styles are allowed), `Cache-Control: no-store` on whatever did
 * not choose its own caching, a locked-down policy on file downloads, and CORS only for the
 * origins in CORS_ORIGINS: with none listed the plugin is not even registered, so no answer
 * carries an Access-Control-* header.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, corsOrigins: readonly string[]): Promise<void> {
  const hardening = Object.entries(headersOf(HELMET_OPTIONS));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of hardening) reply.raw.setHeader(name, value);
      done();
    });
  if (corsOrigins.length > 0) {
    const allowed = new Set(corsOrigins);
    await app.register(fastifyCors, {
      // false for any other origin: no CORS header at all (a list would still add the others),
      // and a preflight from it finds no route.
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      methods: ['GET', 'POST', 'DELETE'],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store');
      if (String(reply.getHeader('content-disposition') ?? '').startsWith('attachment')) {
        reply.raw.setHeader('Content-Security-Policy', DOWNLOAD_CSP);
      }
      done(null, payload);
    });
}
