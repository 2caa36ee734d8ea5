import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { InvalidRequestError, UnsupportedMediaTypeError } from '../errors/api-error.js';
import { UNPARSABLE_CONTENT_TYPE } from './framework-errors.js';
import { RejectedBody } from './json-body-parser.js';
import { judgeJsonContentType } from './json-media-type.js';
import { STREAMED_BODY } from './streamed-body.decorator.js';
import { WITHOUT_BODY } from './without-body.decorator.js';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Judges the request body after authentication, in the contract's order: 415 for a body that
 * is not JSON, then 413 / malformed JSON as recorded by the parser, then "not an object".
 * Field-level validation follows in the ValidationPipe.
 */
@Injectable()
export class RequestBodyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const streamed = this.reflector.get<boolean>(STREAMED_BODY, context.getHandler());
    if (streamed && request.headers['content-type'] === UNPARSABLE_CONTENT_TYPE) {
      throw new UnsupportedMediaTypeError('The Content-Type header is not a media type (type/subtype).');
    }
    const withoutBody = this.reflector.get<boolean>(WITHOUT_BODY, context.getHandler());
    if (!streamed && !withoutBody && METHODS_WITH_BODY.has(request.method)) {
      const mediaType = judgeJsonContentType(request.headers['content-type']);
      if (mediaType === 'not-json') {
        throw new UnsupportedMediaTypeError('This endpoint takes a JSON body: send Content-Type: application/json.');
      }
      if (mediaType === 'other-charset') {
        throw new UnsupportedMediaTypeError('A JSON body is UTF-8: send Content-Type: application/json, with no charset or charset=utf-8.');
      }
      const body: unknown = request.body;
      if (body instanceof RejectedBody) throw body.error;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new InvalidRequestError('The request body must be a JSON object.');
      }
    }
    return next.handle();
  }
}
