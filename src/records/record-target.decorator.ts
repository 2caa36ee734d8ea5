import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RecordRef } from './record-ref.js';
import { InvalidRequestError } from '../common/errors/api-error.js';
import type { FieldError } from '../common/errors/problem.js';
import { ParseRecordIdPipe } from '../common/pipes/parse-record-id.pipe.js';
import { ParseRecordTypePipe } from './parse-record-type.pipe.js';

const typePipe = new ParseRecordTypePipe();
const idPipe = new ParseRecordIdPipe();

/**
 * The record named by `{entityType}/{entityid}`. Both parameters are judged together, so a
 * request with two bad values hears about both (one `errors` entry per field).
 */
export const RecordTarget = createParamDecorator((_data: unknown, context: ExecutionContext): RecordRef => {
  const params = context.switchToHttp().getRequest<FastifyRequest<{ Params: Record<string, string> }>>().params;
  const errors: FieldError[] = [];
  const judge = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      errors.push(...(error.extensions.errors ?? []));
      return undefined;
    }
  };
  const type = judge(() => typePipe.transform(params.entityType, { type: 'param', data: 'entityType' }));
  const id = judge(() => idPipe.transform(params.entityid, { type: 'param', data: 'entityid' }));
  if (type === undefined || id === undefined) {
    throw new InvalidRequestError(`The path does not name a record: ${errors.map((error) => error.message).join('; ')}.`, errors);
  }
  return { type, id };
});
