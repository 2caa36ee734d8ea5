import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

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
  await app.register(fastifyHelmet, {
    // Served over plain HTTP in development and behind a TLS terminator in production: HSTS is
    // the terminator's to send, and upgrading Swagger UI's script requests to https would
    // break it wherever the service is reached over http.
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
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
