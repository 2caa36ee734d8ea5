import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/app-config.js';

/**
 * Paths that never reach a log line, whatever is logged by mistake: API keys travel in
 * Authorization (bare or Bearer), and the other headers may carry credentials of a proxy.
 */
const REDACTED = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'request.headers.cookie',
  '*.authorization',
];

/**
 * The one pino logger of the process: JSON lines on stdout, or coloured lines when stdout is
 * a terminal. `destination` lets tests read the lines.
 */
export function createRootLogger(level: LogLevel | 'silent', destination?: DestinationStream): Logger {
  const stream = destination ?? (process.stdout.isTTY ? pretty({ colorize: true, sync: true }) : pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    stream,
  );
}
