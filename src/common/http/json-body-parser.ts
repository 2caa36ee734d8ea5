import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiError, InvalidRequestError, MalformedJsonError, PayloadTooLargeError } from '../errors/api-error.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';
import type { StreamedBodyRouteConfig } from './streamed-body.decorator.js';

/**
 * A request body that could not be accepted. Fastify parses bodies before any guard runs, but
 * the contract wants authentication (401) judged before the body (413, 400): the parser
 * therefore records the problem here and RequestBodyInterceptor throws it after the guards.
 */
export class RejectedBody {
  constructor(readonly error: ApiError) {}
}

/**
 * Replaces Fastify's body parsers: JSON is read with our size limit and prototype-poisoning
 * protection, and every other content type is left unread for the routes that stream it
 * (uploads); JSON routes answer those with 415.
 */
export function registerBodyParsers(fastify: FastifyInstance, maxJsonBytes: number): void {
  fastify.removeAllContentTypeParsers();

  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    // An upload of a .json file arrives as application/json too: it is streamed, not parsed.
    if ((request.routeOptions.config as StreamedBodyRouteConfig | undefined)?.streamedBody) {
      done(null, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxJsonBytes) {
        // Keep reading so the connection stays usable, but stop keeping anything.
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    payload.on('error', (error) => done(error, undefined));
    payload.on('end', () => {
      if (tooLarge) {
        done(null, new RejectedBody(new PayloadTooLargeError(`A JSON body may be at most ${maxJsonBytes} bytes.`)));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        done(null, new RejectedBody(new MalformedJsonError('The request body is empty; a JSON object is expected.')));
        return;
      }
      if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
        done(
          null,
          new RejectedBody(new InvalidRequestError(`The JSON body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`)),
        );
        return;
      }
      try {
        done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
      } catch {
        done(null, new RejectedBody(new MalformedJsonError()));
      }
    });
  });

  // Leave the stream unread: streaming routes consume request.raw themselves.
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}
