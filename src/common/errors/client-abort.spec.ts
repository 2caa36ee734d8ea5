import { describe, expect, it } from 'vitest';
import { isClientAbortError } from './client-abort.js';
import { isDatabaseUnavailable } from './database-errors.js';

const withCode = (message: string, code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code }, extra);

describe('client aborts and database outages are told apart', () => {
  it.each([
    ['Node\'s "aborted" of a request stream', withCode('aborted', 'ECONNRESET')],
    ['a premature close', withCode('Premature close', 'ERR_STREAM_PREMATURE_CLOSE')],
    ['a connection aborted', withCode('socket hang up', 'ECONNABORTED')],
  ])('%s is a client abort, not a database outage', (_name, error) => {
    expect(isClientAbortError(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it.each([
    ['a driver reset', withCode('read ECONNRESET', 'ECONNRESET', { fatal: true })],
    [
      'a lost connection wrapped by TypeORM',
      { name: 'QueryFailedError', message: 'aborted', driverError: withCode('aborted', 'ECONNRESET', { fatal: true }) },
    ],
    ['a refused connection', withCode('connect ECONNREFUSED', 'ECONNREFUSED')],
  ])('%s is a database outage, not a client abort', (_name, error) => {
    expect(isClientAbortError(error)).toBe(false);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});
