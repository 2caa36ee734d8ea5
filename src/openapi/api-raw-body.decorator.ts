import { ApiExtension } from '@nestjs/swagger';

/** The operation extension that carries ApiRawBody's media types until the document is built. */
export const RAW_BODY_EXTENSION = 'x-crm-raw-body';

/**
 * Documents that a route also takes its body raw, as bytes, in these media types: each one is
 * added to the request body as `{type: string, format: binary}`, next to what @ApiBody and
 * @ApiConsumes describe (multipart/form-data for uploads).
 *
 * @nestjs/swagger gives every consumed media type the one @ApiBody schema, so a multipart
 * object and a raw binary string cannot both be declared with its decorators; this one marks
 * the route, and buildOpenApiDocument (documentRawBodies) writes the media types in and
 * removes the mark.
 */
export const ApiRawBody = (...mediaTypes: string[]) => ApiExtension(RAW_BODY_EXTENSION, mediaTypes);
