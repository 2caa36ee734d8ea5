import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/**
 * The logger of the request being served, found from anywhere in its call chain, so that the
 * lines Nest's Logger writes during a request carry that request's id.
 */
export const requestContext = new AsyncLocalStorage<{ log: Logger }>();
