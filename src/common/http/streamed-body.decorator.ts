import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';

export const STREAMED_BODY = 'crm-files:streamed-body';

/** Fastify route config read by the body parsers: leave this route's body unread. */
export interface StreamedBodyRouteConfig {
  streamedBody?: boolean;
}

/**
 * Marks a route that reads its own request body as a stream (uploads): the body parsers leave
 * it unread whatever its content type, and RequestBodyInterceptor does not demand JSON.
 */
export const StreamedBody = () =>
  applyDecorators(SetMetadata(STREAMED_BODY, true), RouteConfig({ streamedBody: true } satisfies StreamedBodyRouteConfig));
