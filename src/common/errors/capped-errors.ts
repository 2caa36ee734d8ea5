import type { FieldError } from './problem.js';

/** The most entries a problem body's `errors` lists; `errorsOmitted` counts the rest. */
export const MAX_LISTED_ERRORS = 50;
/** The longest `field` or `message` an entry carries: names sent by the caller are cut. */
export const MAX_ERROR_TEXT_LENGTH = 100;

/**
 * The `errors` of a problem body, bounded: a request with 30,000 unknown properties, or one
 * property with a 100 KB name, must not be answered with a body larger than itself.
 */
export function capFieldErrors(errors: FieldError[]): { errors: FieldError[]; errorsOmitted?: number } {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map(({ field, message }) => ({ field: cut(field), message: cut(message) }));
  return errors.length > MAX_LISTED_ERRORS ? { errors: listed, errorsOmitted: errors.length - MAX_LISTED_ERRORS } : { errors: listed };
}

function cut(text: string): string {
  const characters = [...text];
  return characters.length <= MAX_ERROR_TEXT_LENGTH ? text : `${characters.slice(0, MAX_ERROR_TEXT_LENGTH - 1).join('')}…`;
}
