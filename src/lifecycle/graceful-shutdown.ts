import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownState } from './shutdown-state.js';

/** After the grace period, how long aborted requests get to clean up (remove staged content) before the exit. */
const ABORT_SETTLE_MS = 500;

export interface GracefulShutdownOptions {
  graceMs: number;
  logger: LoggerService;
  /** process.exit, replaceable for tests. */
  exit?: (code: number) => void;
}

/**
 * Drains the server on SIGTERM and SIGINT, whether sent to the process alone or to its whole
 * process group (as a terminal's Ctrl-C and most supervisors do), so the signal may arrive twice:
 * every later signal is only logged.
 *
 * 1. Readiness answers 503 and the listening socket closes: no new connections.
 * 2. Idle keep-alive connections are closed at once; every answer from now on carries
 *    `Connection: close`, and each connection is closed as soon as it is idle, so clients
 *    never wait on a connection that will not be served.
 * 3. Requests already received (including ones that reach a kept-alive connection while draining)
 *    are answered in full. Once none is left, the application closes (the database pool with it)
 *    and the process exits 0.
 * 4. If some are still running after `graceMs`, their connections are destroyed (an upload's
 *    stream fails, which removes what it had staged; the row was never written), and the process
 *    exits 1.
 *
 * Nest's own enableShutdownHooks() is not used: it closes Fastify at once, which answers 503 to
 * requests already on a connection and waits for every keep-alive connection to time out.
 */
export function installGracefulShutdown(app: NestFastifyApplication, options: GracefulShutdownOptions): void {
  const shutdown = createGracefulShutdown(app, options);
  process.on('SIGTERM', shutdown.onSignal);
  process.on('SIGINT', shutdown.onSignal);
}

/** The drain itself, without the process signal handlers: what tests drive directly. */
export function createGracefulShutdown(
  app: NestFastifyApplication,
  options: GracefulShutdownOptions,
): { onSignal: (signal: NodeJS.Signals) => void; finished: () => Promise<void> | null } {
  const server = app.getHttpServer() as Server;
  const state = app.get(ShutdownState);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const inFlight = new Set<ServerResponse>();
  let idle: (() => void) | null = null;

  // A 'request' listener added after Fastify's runs after it, synchronously, before any handler
  // has written headers: the right place to count the request and mark its answer.
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    inFlight.add(response);
    if (state.draining && !response.headersSent) response.setHeader('Connection', 'close');
    response.once('close', () => {
      inFlight.delete(response);
      if (state.draining) {
        // The socket becomes idle just after the answer ends: close it then.
        setImmediate(() => server.closeIdleConnections());
        if (inFlight.size === 0) idle?.();
      }
    });
  });

  const drain = async (signal: NodeJS.Signals): Promise<void> => {
    const started = Date.now();
    options.logger.log(
      `Received ${signal}: draining ${inFlight.size} request(s) in flight, at most ${options.graceMs} ms (SHUTDOWN_GRACE_MS).`,
    );
    state.startDraining();
    for (const response of inFlight) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    server.close();
    server.closeIdleConnections();

    const drained = inFlight.size === 0 || (await waitFor(new Promise<void>((resolve) => (idle = resolve)), options.graceMs));
    let code = 0;
    if (!drained) {
      code = 1;
      options.logger.warn(`Grace period over: aborting ${inFlight.size} request(s) still running.`);
      for (const response of inFlight) response.destroy();
      server.closeAllConnections();
      await sleep(ABORT_SETTLE_MS);
    }
    try {
      await app.close();
    } catch (error) {
      code = 1;
      options.logger.error(`Closing the application failed: ${(error as Error).message}`, undefined);
    }
    options.logger.log(`${drained ? 'Drained' : 'Stopped'} in ${Date.now() - started} ms; exiting with ${code}.`);
    exit(code);
  };

  let draining: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      options.logger.log(`Received ${signal} again: still draining.`);
      return;
    }
    draining = drain(signal);
  };
  return { onSignal, finished: () => draining };
}

/** True when `done` settles within `ms`. */
async function waitFor(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([done.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
