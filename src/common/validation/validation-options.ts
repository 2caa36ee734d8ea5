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

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}
