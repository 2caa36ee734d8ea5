import { ApiError } from '../common/errors/api-error.js';

/** Readiness while the process drains for a shutdown: the load balancer should send traffic elsewhere. */
export class ShuttingDownError extends ApiError {
  constructor() {
    super(
      503,
      'shutting-down',
      'Service Unavailable',
      'This instance is shutting down; send requests to another one.',
      {},
      { 'Retry-After': '5' },
    );
  }
}
