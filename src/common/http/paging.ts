import { InvalidRequestError } from '../errors/api-error.js';
import type { FieldError } from '../errors/problem.js';

export interface Page {
  startIndex: number;
  count: number;
}

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

/** `startIndex` (≥ 0, default 0) and `count` (1 to 1000, default 100) from a query string. */
export function parsePage(query: Record<string, unknown>): Page {
  const errors: FieldError[] = [];
  const startIndex = integerParam(query, 'startIndex', 0, 0, Number.MAX_SAFE_INTEGER, errors);
  const count = integerParam(query, 'count', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, errors);
  if (errors.length > 0) throw new InvalidRequestError('The paging parameters are not valid; see errors.', errors);
  return { startIndex, count };
}

/** A plain decimal integer query parameter within bounds; collects an error instead of throwing. */
export function integerParam(
  query: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  errors: FieldError[],
): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^(0|-?[1-9][0-9]{0,15})$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    errors.push({ field: name, message: `${name} must be an integer from ${min} to ${max}` });
    return fallback;
  }
  return Number(raw);
}
