import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DatabasePool } from '../database/database-pool.js';

/**
 * Every metric of the service, in one registry per application (tests run several apps in one
 * process). Labels are bounded on purpose: method, route template, status class or outcome;
 * never an id, a tenant or a user.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'crm_files_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'crm_files_http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its answer, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly clientDisconnects = new Counter({
    name: 'crm_files_http_client_disconnects_total',
    help: 'Requests whose client went away before the answer was complete, by method and route template.',
    labelNames: ['method', 'route'] as const,
    registers: [this.registry],
  });

  readonly uploadedBytes = new Counter({
    name: 'crm_files_uploaded_bytes_total',
    help: 'Request body bytes received by the upload route.',
    registers: [this.registry],
  });

  readonly downloadedBytes = new Counter({
    name: 'crm_files_downloaded_bytes_total',
    help: 'File content bytes sent by downloads (whole files and ranges).',
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: 'crm_files_rate_limit_rejections_total',
    help: 'Requests answered 429 because their API key was over its per-minute limit.',
    registers: [this.registry],
  });

  readonly rateLimiterFailures = new Counter({
    name: 'crm_files_rate_limiter_redis_failures_total',
    help: 'Requests served without a limit check because Redis did not answer (limits fail open).',
    registers: [this.registry],
  });

  /** Incremented by the Idempotency-Key handling each time a stored answer is replayed. */
  readonly idempotentReplays = new Counter({
    name: 'crm_files_idempotent_replays_total',
    help: 'Answers replayed for a repeated Idempotency-Key.',
    registers: [this.registry],
  });

  /** For the webhook deliveries: outcome is a small fixed set (for example delivered, failed, gave_up). */
  readonly webhookDeliveries = new Counter({
    name: 'crm_files_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(pool: DatabasePool) {
    new Gauge({
      name: 'crm_files_db_pool_connections_in_use',
      help: 'Database pool connections checked out right now (0 on SQLite).',
      registers: [this.registry],
      collect() {
        this.set(pool.connectionsInUse());
      },
    });
    new Gauge({
      name: 'crm_files_db_pool_waiting_requests',
      help: 'Queries waiting for a free database pool connection (0 on SQLite).',
      registers: [this.registry],
      collect() {
        this.set(pool.waitingRequests());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
