import type { FastifyRequest } from 'fastify';

/** Codes Node gives a request stream that its client cut short. */
const ABORT_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED']);

/**
 * Whether an error is the request's own stream failing because the client went away (it
 * closed the socket in the middle of an upload or a slow body): Node's `Error: aborted`
 * (code ECONNRESET), a premature close. Errors of the database driver are never this, even
 * when they carry ECONNRESET: those come wrapped by TypeORM or with the driver's own fields.
 */
export function isClientAbortError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if (comesFromDatabaseDriver(error)) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && ABORT_CODES.has(code)) return true;
  return code === 'ECONNRESET' && message === 'aborted';
}

/**
 * Whether a failure is the client's leaving rather than a fault of ours: an abort of the
 * request stream, or any error of a request whose client is already gone (its socket closed
 * before the body arrived), unless the database driver raised it.
 */
export function isClientAbort(error: unknown, request?: FastifyRequest): boolean {
  if (isClientAbortError(error)) return true;
  if (!request || (error && typeof error === 'object' && comesFromDatabaseDriver(error))) return false;
  const raw = request.raw;
  return raw.readableAborted || (raw.socket?.destroyed === true && !raw.complete);
}

function comesFromDatabaseDriver(error: object): boolean {
  return 'driverError' in error || 'sqlMessage' in error || 'fatal' in error || (error as { name?: unknown }).name === 'QueryFailedError';
}
