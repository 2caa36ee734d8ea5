import type { ValidationError, ValidationPipeOptions } from '@nestjs/common';
import { InvalidRequestError } from '../errors/api-error.js';
import type { FieldError } from '../errors/problem.js';

/**
 * The one validation setup, used by main.ts and the tests alike: unknown properties are
 * rejected, and body values are never coerced (a string "1" is not the integer 1).
 */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new InvalidRequestError('The request is not valid; see errors.', flattenValidationErrors(errors)),
};

/**
 * One entry per invalid field (docs/contract.md, "Errors"). class-validator lists a property's failed constraints
 * in the reverse of their declaration order, and a missing `fileids` fails all five of its
 * constraints; the first-declared one is the most basic ("must be an array" before "each value
 * must be an integer") and the one the caller needs to read.
 */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    const own = messages.length > 0 ? [{ field, message: messages[messages.length - 1] }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}
