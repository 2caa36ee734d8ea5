import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { requestContext } from './request-context.js';

/**
 * Nest's Logger (bootstrap messages, the error filter, the adapter) written through pino, as
 * JSON lines like every other; during a request, through that request's logger, so the line
 * carries its request id.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional, true);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional, true);
  }

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    optional: unknown[],
    withStack = false,
  ): void {
    const logger = requestContext.getStore()?.log ?? this.root;
    if (!logger.isLevelEnabled(level)) return;
    // Nest passes the context (a class name) last, and for errors a stack before it.
    const params = [...optional];
    const last = params[params.length - 1];
    const context = typeof last === 'string' && !last.includes('\n') ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (withStack && typeof params[0] === 'string' && params[0].includes('\n    at ')) fields.stack = params.shift();
    if (message instanceof Error) {
      logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...(message as object) });
    } else {
      logger[level](fields, String(message));
    }
  }
}
