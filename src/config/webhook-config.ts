import { parseRetrySchedule } from '../webhooks/delivery/retry-schedule.js';
import { boolean, type Env } from './env-readers.js';

/** How webhooks are delivered (docs/webhooks.md): which targets are allowed, and when to retry. */
export interface WebhookConfig {
  /** `http://` targets: for development only. */
  allowHttp: boolean;
  /** Targets on loopback, private, link-local or metadata addresses: for tests and on-premise setups. */
  allowPrivateTargets: boolean;
  /** The waits between attempts, in ms: 1 + its length attempts in all before a subscription is disabled. */
  retryScheduleMs: number[];
}

export function loadWebhookConfig(env: Env): WebhookConfig {
  return {
    allowHttp: boolean(env, 'WEBHOOK_ALLOW_HTTP', false),
    allowPrivateTargets: boolean(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
    retryScheduleMs: parseRetrySchedule('WEBHOOK_RETRY_SCHEDULE', env.WEBHOOK_RETRY_SCHEDULE),
  };
}
